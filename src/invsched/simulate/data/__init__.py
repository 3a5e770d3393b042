"""Data files shipped with the simulator (see README.md in this folder)."""
