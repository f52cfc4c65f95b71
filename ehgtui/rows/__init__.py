"""Reading table data: the only package that does, always read-only, optionally through a role."""
