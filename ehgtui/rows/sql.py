"""Quoting identifiers and literals for the few statements the row path builds itself."""

from __future__ import annotations

import re

from ehgtui.catalog.model import Table

_PLAIN_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_$]*")

_RESERVED = frozenset(
    """all analyse analyze and any array as asc asymmetric both case cast check collate column
    constraint create current_catalog current_date current_role current_time current_timestamp
    current_user default deferrable desc distinct do else end except false fetch for foreign from
    grant group having in initially intersect into lateral leading limit localtime localtimestamp
    not null offset on only or order placing primary references returning select session_user
    some symmetric system_user table then to trailing true union unique user using variadic when
    where window with""".split()
)
"""PostgreSQL's reserved key words: a bare name that is one of these must be quoted."""


def quote_ident(name: str) -> str:
    """Quote an identifier the way `quote_ident()` does: only when it needs it."""
    if _PLAIN_IDENTIFIER.fullmatch(name) and name not in _RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(table: Table) -> str:
    """`schema.name` of a table, each part quoted as needed."""
    return f"{quote_ident(table.schema)}.{quote_ident(table.name)}"
