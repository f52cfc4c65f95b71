"""The left pane: the domain tree and its filter."""
