"""Errors the CLI's commands raise and `main()` turns into one line and an exit status."""

from __future__ import annotations


class NotFoundError(LookupError):
    """A table (or other named object) the user asked for does not exist."""
