"""The colourist's desktop app (PySide6).  Knows the core; the core never knows it."""
