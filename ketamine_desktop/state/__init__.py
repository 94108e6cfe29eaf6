"""State between the domain and the window (QtCore only): stores that hold what the views show and
announce changes with one signal each, and the user's view settings."""
