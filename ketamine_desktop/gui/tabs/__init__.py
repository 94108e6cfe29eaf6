"""The main window's four tabs."""
