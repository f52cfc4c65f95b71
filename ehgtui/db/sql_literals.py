"""SQL literals built on the client, for the few queries sent as text without parameters (the
one-trip message and the plain-socket client): they must mean the same whatever the
session's `standard_conforming_strings` says."""

from __future__ import annotations


def text_literal(value: str) -> str:
    """value as an SQL string literal that means the same whatever standard_conforming_strings
    says (an E'' literal when it holds a backslash), on one line (a line break is written
    `\\n`: the one-trip message is one line)."""
    quoted = value.replace("'", "''")
    if any(char in value for char in "\\\n\r"):
        escaped = quoted.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
        return "E'" + escaped + "'"
    return "'" + quoted + "'"


def text_array_literal(values: list[str]) -> str:
    """values as an SQL `text[]` expression made of literals."""
    return "ARRAY[" + ", ".join(text_literal(v) for v in values) + "]::text[]"
