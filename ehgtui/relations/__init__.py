"""Foreign-key relations: the neighbourhood of a table, its terminal picture, ERD exports.

Pure functions over the catalog model, no I/O: the TUI's Relations tab draws `picture.py`'s
output, and `ehgtui erd` writes `mermaid.py`'s or `dot.py`'s.
"""
