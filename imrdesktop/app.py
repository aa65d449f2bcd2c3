def main():
    return 0

def main_gui():
    return 0
