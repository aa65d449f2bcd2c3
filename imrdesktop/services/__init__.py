"""Services: the use-cases shared by the GUI and the CLI. No Qt."""
