"""The names PostgreSQL makes up for objects created without one, so the DDL can omit them.

A name that equals what PostgreSQL would choose is left out of the DDL (it reads like what a
person wrote); any other name is spelled out, which is always correct.
"""

from __future__ import annotations

NAME_MAX_BYTES = 63
"""NAMEDATALEN - 1: identifiers longer than this many UTF-8 bytes are truncated."""


def _clip(name: bytes, length: int) -> str:
    """Cut UTF-8 bytes to at most `length`, never inside a character (pg_mbcliplen)."""
    return name[:length].decode("utf-8", "ignore")


def default_object_name(name1: str, name2: str | None, label: str) -> str:
    """PostgreSQL's `makeObjectName()`: `name1_name2_label`, the longer part cut first.

    This is the name of an identity sequence (`table_column_seq`) or, on PostgreSQL 18, of a
    NOT NULL constraint (`table_column_not_null`), barring a clash with an existing name.
    """
    first = name1.encode()
    second = name2.encode() if name2 is not None else b""
    overhead = (1 if name2 is not None else 0) + len(label.encode()) + 1
    available = NAME_MAX_BYTES - overhead
    first_len, second_len = len(first), len(second)
    while first_len + second_len > available:
        if first_len > second_len:
            first_len -= 1
        else:
            second_len -= 1
    parts = [_clip(first, first_len)]
    if name2 is not None:
        parts.append(_clip(second, second_len))
    parts.append(label)
    return "_".join(parts)
