"""Storage layer: the encrypted vault, case files, keys and settings. No Qt."""
