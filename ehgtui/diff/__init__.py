"""Schema diff: compare two catalogs (live or snapshot) and describe what changed.

Pure functions over the catalog model, no I/O apart from reading and writing snapshot files
(`snapshot.py`).
"""
