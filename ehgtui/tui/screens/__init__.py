"""Screens: the explorer and the help overlay."""
