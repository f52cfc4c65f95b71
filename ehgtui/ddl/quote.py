"""Identifier and literal quoting exactly as PostgreSQL's `quote_ident()` decides it.

PostgreSQL leaves an identifier bare only when it is all lower-case ASCII letters, digits and
underscores, does not start with a digit, and is not a keyword of any category but UNRESERVED.
The keyword lists below are copied from PostgreSQL 18's `src/include/parser/kwlist.h`; the
newest list is the right one for every older server too, because quoting a word that an older
server does not reserve is harmless, while leaving a newly reserved word bare is not.
"""

from __future__ import annotations

import re

RESERVED_KEYWORDS: frozenset[str] = frozenset(
    """
    all analyse analyze and any array as asc asymmetric both case cast check collate column
    constraint create current_catalog current_date current_role current_time
    current_timestamp current_user default deferrable desc distinct do else end except false
    fetch for foreign from grant group having in initially intersect into lateral leading
    limit localtime localtimestamp not null offset on only or order placing primary
    references returning select session_user some symmetric system_user table then to
    trailing true union unique user using variadic when where window with
    """.split()
)
"""RESERVED_KEYWORD entries: never usable bare as a name."""

TYPE_FUNC_NAME_KEYWORDS: frozenset[str] = frozenset(
    """
    authorization binary collation concurrently cross current_schema freeze full ilike inner
    is isnull join left like natural notnull outer overlaps right similar tablesample
    verbose
    """.split()
)
"""TYPE_FUNC_NAME_KEYWORD entries: bare only as a type or function name."""

COL_NAME_KEYWORDS: frozenset[str] = frozenset(
    """
    between bigint bit boolean char character coalesce dec decimal exists extract float
    greatest grouping inout int integer interval json json_array json_arrayagg json_exists
    json_object json_objectagg json_query json_scalar json_serialize json_table json_value
    least merge_action national nchar none normalize nullif numeric out overlay position
    precision real row setof smallint substring time timestamp treat trim values varchar
    xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi
    xmlroot xmlserialize xmltable
    """.split()
)
"""COL_NAME_KEYWORD entries: bare only as a column name."""

QUOTED_KEYWORDS: frozenset[str] = RESERVED_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS | COL_NAME_KEYWORDS
"""Every keyword `quote_ident()` quotes: all categories but UNRESERVED (164 in PostgreSQL 18)."""

_SAFE_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
"""What `quote_identifier()` in ruleutils.c accepts bare (note: `$` is not in it)."""


def needs_quoting(name: str) -> bool:
    """Tell whether PostgreSQL would double-quote `name`, so the DDL reads like pg_dump's."""
    return _SAFE_IDENTIFIER.fullmatch(name) is None or name in QUOTED_KEYWORDS


def quote_ident(name: str) -> str:
    """Quote an identifier only when needed, doubling embedded double quotes."""
    if needs_quoting(name):
        return '"' + name.replace('"', '""') + '"'
    return name


def qualified(schema: str, name: str) -> str:
    """`schema.name`, each part quoted as needed: pg_dump always qualifies, so do we."""
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def quote_literal(text: str) -> str:
    """A standard-conforming string literal (single quotes doubled, backslashes literal).

    Uses the `E''` form when the text holds a backslash, so the literal means the same
    whatever `standard_conforming_strings` says on the server the DDL is applied to.
    """
    if "\\" in text:
        return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'"
    return "'" + text.replace("'", "''") + "'"
