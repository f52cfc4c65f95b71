"""How risky a column type change is: a widening keeps every value, anything else may not.

PostgreSQL rewrites the table (and its indexes) for most type changes, under an ACCESS
EXCLUSIVE lock; a few are binary-coercible and only touch the catalog (`varchar(n)` to a
longer `varchar` or to `text`, `numeric(p,s)` to a larger precision at the same scale).
A change that is neither a widening nor one of those may fail on existing data (`text` to
`integer`) or silently lose some (`varchar(100)` to `varchar(50)` through an explicit cast
truncates; `numeric(10,2)` to `numeric(10,0)` rounds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_INTEGER_WIDTH = {"smallint": 2, "integer": 4, "bigint": 8}
_FLOAT_WIDTH = {"real": 4, "double precision": 8}
_TEXT_LIKE = {"text", "character varying"}
_MODIFIERS = re.compile(r"^(?P<base>[a-z ]+?)(?:\((?P<args>[0-9, ]+)\))?(?P<array>(\[\])*)$")


@dataclass(frozen=True, slots=True)
class TypeChange:
    """What changing a column from one `format_type()` to another implies."""

    widening: bool
    """Every old value fits the new type unchanged."""
    rewrite: bool
    """PostgreSQL rewrites the table (not only the catalog)."""


def _parse(data_type: str) -> tuple[str, tuple[int, ...], str] | None:
    match = _MODIFIERS.match(data_type)
    if match is None:
        return None
    args = tuple(int(a) for a in (match["args"] or "").replace(" ", "").split(",") if a)
    return match["base"], args, match["array"]


def _text_widening(old: tuple[str, tuple[int, ...]], new: tuple[str, tuple[int, ...]]) -> bool:
    (old_base, old_args), (new_base, new_args) = old, new
    if new_base == "text":
        return old_base in _TEXT_LIKE
    if new_base == "character varying" and old_base == "character varying":
        return not new_args or bool(old_args and old_args[0] <= new_args[0])
    return False


def _numeric_widening(old_args: tuple[int, ...], new_args: tuple[int, ...]) -> bool:
    if not new_args:
        return True  # unconstrained numeric holds any numeric
    if not old_args:
        return False
    old_scale = old_args[1] if len(old_args) > 1 else 0
    new_scale = new_args[1] if len(new_args) > 1 else 0
    return new_scale >= old_scale and new_args[0] - new_scale >= old_args[0] - old_scale


def classify_type_change(old: str, new: str) -> TypeChange:
    """Tell whether `old` -> `new` is a widening, and whether it rewrites the table."""
    parsed_old, parsed_new = _parse(old), _parse(new)
    if parsed_old is None or parsed_new is None or parsed_old[2] != parsed_new[2]:
        return TypeChange(widening=False, rewrite=True)
    (old_base, old_args, _), (new_base, new_args, _) = parsed_old, parsed_new
    if _text_widening((old_base, old_args), (new_base, new_args)):
        return TypeChange(widening=True, rewrite=False)
    if old_base == new_base == "numeric":
        widening = _numeric_widening(old_args, new_args)
        same_scale = (old_args[1:] or (0,)) == (new_args[1:] or (0,)) or not new_args
        return TypeChange(widening=widening, rewrite=not (widening and same_scale))
    if old_base in _INTEGER_WIDTH and new_base in _INTEGER_WIDTH:
        return TypeChange(_INTEGER_WIDTH[old_base] <= _INTEGER_WIDTH[new_base], rewrite=True)
    if old_base in _INTEGER_WIDTH and new_base == "numeric":
        return TypeChange(not new_args or new_args[0] - (new_args[1:] or (0,))[0] >= 19, True)
    if old_base in _FLOAT_WIDTH and new_base in _FLOAT_WIDTH:
        return TypeChange(_FLOAT_WIDTH[old_base] <= _FLOAT_WIDTH[new_base], rewrite=True)
    if {old_base, new_base} == {"timestamp without time zone", "timestamp with time zone"}:
        return TypeChange(widening=True, rewrite=True)  # same instants, read in the session zone
    return TypeChange(widening=False, rewrite=True)
