"""The three screens of the main window: unlock, case list, case workspace."""
