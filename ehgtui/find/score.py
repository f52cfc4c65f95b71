"""A small, fast scorer for table and column names.

The tree filter re-scores every table on each keystroke (850+ in the real database, 10,000 in
tests of scale), so this avoids regexes. Matches come in tiers, so that what the user typed
literally always ranks first: the exact name, a prefix, a substring starting a word
(`dir` in `strategic_directives`), any substring, then word prefixes in order (`sdv2`,
`str_dir`), and last a tight subsequence (at most MAX_GAPS gaps). Anything looser does not
match: `created` used to match hundreds of names whose letters merely appear in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

EXACT = 200.0
PREFIX = 150.0
WORD_SUBSTRING = 130.0
SUBSTRING = 120.0
WORD_PREFIXES = 110.0
"""Tier scores (a longer name scores a little less within a tier)."""

FUZZY_CEILING = 100.0
"""Subsequence matches score below this, by how tightly their letters are packed."""

MAX_GAPS = 2
"""A subsequence with more breaks than this is no match."""

COLUMN_BAND = (100.0, 108.0)
"""Where a table found by one of its columns ranks: below every literal or word match of a
name (above 108), above every subsequence match of one (below 100)."""

SEPARATORS = "_. "
"""Characters that start a new word of a name."""


def _words(name: str) -> list[str]:
    words: list[str] = []
    current = ""
    for char in name:
        if char in SEPARATORS:
            if current:
                words.append(current)
            current = ""
        else:
            current += char
    if current:
        words.append(current)
    return words


def _word_prefixes(query: str, words: list[str]) -> bool:
    """Whether `query` (separators removed) is a run of prefixes of `words`, in order."""
    q = "".join(ch for ch in query if ch not in SEPARATORS)
    if not q:
        return False

    def match(qi: int, wi: int) -> bool:
        if qi == len(q):
            return True
        for w in range(wi, len(words)):
            word = words[w]
            length = 0
            while length < len(word) and qi + length < len(q) and word[length] == q[qi + length]:
                length += 1
                if match(qi + length, w + 1):
                    return True
        return False

    return match(0, 0)


def fuzzy_score(query: str, candidate: str) -> float:
    """Score how well `query` matches `candidate` (case-insensitive); 0 means no match.

    Args:
        query: What the user typed.
        candidate: A name, e.g. `strategic_directives_v2`.

    Returns:
        Above 100 for a literal or word match (see the module's tiers), between 0 and 100 for
        a tight subsequence, 0 otherwise.
    """
    q = query.lower().strip()
    c = candidate.lower()
    if not q:
        return 1.0
    length_penalty = len(c) / 100
    at = c.find(q)
    if at >= 0:
        if c == q:
            return EXACT
        if at == 0:
            return PREFIX - length_penalty
        if c[at - 1] in SEPARATORS:
            return WORD_SUBSTRING - length_penalty
        return SUBSTRING - length_penalty
    if _word_prefixes(q, _words(c)):
        return WORD_PREFIXES - length_penalty
    position = -1
    first = -1
    gaps = 0
    for char in q:
        found = c.find(char, position + 1)
        if found < 0:
            return 0.0
        if first < 0:
            first = found
        elif found > position + 1:
            gaps += 1
        position = found
    if gaps > MAX_GAPS:
        return 0.0
    span = position - first + 1
    return max(1.0, FUZZY_CEILING - gaps * 10 - (span - len(q)) - length_penalty)


def column_score(query: str, columns: Iterable[str]) -> tuple[float, str | None]:
    """Score a table by its columns: the best literal or word match among them (never a
    loose subsequence, which would match most tables), mapped into COLUMN_BAND.

    Args:
        query: What the user typed.
        columns: The table's column names.

    Returns:
        The score (0: no column matches) and the best column's name.
    """
    best, name = 0.0, None
    for column in columns:
        score = fuzzy_score(query, column)
        if score > best and score > FUZZY_CEILING:
            best, name = score, column
    if name is None:
        return 0.0, None
    low, high = COLUMN_BAND
    return low + (best - FUZZY_CEILING) / (EXACT - FUZZY_CEILING) * (high - low), name


def rank(
    query: str, items: Iterable[T], key: Callable[[T], str], limit: int | None = None
) -> list[T]:
    """Return the items matching `query`, best first (ties keep their input order).

    Args:
        query: What the user typed.
        items: The candidates.
        key: The name of each candidate.
        limit: Keep at most this many.

    Returns:
        The matching items.
    """
    scored = [(fuzzy_score(query, key(item)), index, item) for index, item in enumerate(items)]
    hits = sorted((s for s in scored if s[0] > 0), key=lambda s: (-s[0], s[1]))
    if limit is not None:
        hits = hits[:limit]
    return [item for _, _, item in hits]
