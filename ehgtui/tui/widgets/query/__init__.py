"""The query pad's widgets: the SQL editor with completion, the results grid, the plan tree."""
