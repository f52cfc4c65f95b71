"""Reading policy expressions as PostgreSQL prints them (`pg_get_expr`), without a parser.

Two questions only: is an expression the constant true, and which `auth.*()` or
`current_setting()` calls run once per row rather than once per statement? A call inside a
scalar subquery, `(SELECT auth.uid() AS uid)`, becomes an InitPlan evaluated once; a bare
call is evaluated for every row the policy filters (splinter's `0003_auth_rls_initplan`).
"""

from __future__ import annotations

import re

_CALL = re.compile(
    r"(?P<name>auth\s*\.\s*(?:uid|role|jwt|email)|current_setting)\s*\(", re.IGNORECASE
)
"""The functions whose per-row evaluation is costly: Supabase's JWT helpers and GUC reads."""

_SUBQUERY_START = re.compile(r"\s*(?:SELECT|WITH)\b", re.IGNORECASE)
_IDENTIFIER_CHAR = re.compile(r"[\w$.\"]")
_TRUE_FORMS = frozenset({"true", "1=1"})


def is_constant_true(expression: str | None) -> bool:
    """True when the expression is `true` (or `1 = 1`), whatever parentheses surround it."""
    if expression is None:
        return False
    text = re.sub(r"\s+", "", expression).lower()
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1]
    return text in _TRUE_FORMS


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def per_row_calls(expression: str | None) -> list[str]:
    """The auth.*() / current_setting() calls not wrapped in a subquery, in order of appearance.

    String literals and quoted identifiers are skipped, so `'auth.uid()'` inside a literal
    is not a call.
    """
    if not expression:
        return []
    found: list[str] = []
    frames: list[bool] = []  # one per open parenthesis: does it start a subquery?
    i, size = 0, len(expression)
    while i < size:
        char = expression[i]
        if char in "'\"":
            i = _skip_quoted(expression, i)
            continue
        if char == "(":
            frames.append(bool(_SUBQUERY_START.match(expression, i + 1)))
        elif char == ")":
            if frames:
                frames.pop()
        else:
            call = _CALL.match(expression, i)
            if call and (i == 0 or not _IDENTIFIER_CHAR.match(expression[i - 1])):
                if not any(frames):
                    found.append(re.sub(r"\s+", "", call.group("name")).lower() + "()")
                i = call.end() - 1  # continue at the call's own parenthesis
                continue
        i += 1
    return found


def _skip_quoted(text: str, start: int) -> int:
    """Index just past the quoted literal or identifier opening at `start` ('' escapes)."""
    quote = text[start]
    i = start + 1
    while i < len(text):
        if text[i] == quote:
            if i + 1 < len(text) and text[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return i
