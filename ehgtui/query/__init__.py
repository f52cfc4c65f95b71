"""The read-only query pad's core: one statement the user typed, run read-only, as anyone."""
