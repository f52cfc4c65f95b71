"""Completion for the query pad from the loaded catalog: no round trip to the server.

What is offered depends on where the cursor is in the statement under it:

- after `FROM`, `JOIN` or a comma of the FROM list: schemas, tables and views;
- after `name.`: the columns of the table or alias `name` stands for in the FROM clause, or
  the tables, views and functions of schema `name`;
- after `column = '`, `column <> ` or `column IN (`: the labels of that column's enum type;
- right after `function(`: the function's arguments (a hint, nothing to insert);
- elsewhere: the columns of every table in the FROM clause (aliases included), the aliases,
  functions, keywords, tables and views.

The FROM clause is read with PostgreSQL's own scanner (pglast), so names in strings and
comments never count, and the text may be half typed (a statement that does not parse yet
still scans). Matching is by prefix, case-insensitive; the relation and function names are
kept sorted, so a keystroke on a 10,000-table schema costs a binary search.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pglast.parser import ParseError, scan

from ehgtui.catalog.model import Catalog, Table
from ehgtui.ddl.quote import needs_quoting
from ehgtui.usersql.statement import statement_at

UNQUALIFIED_SCHEMA = "public"
"""Tables of this schema are inserted without it (it is on every Supabase search_path)."""

DEFAULT_LIMIT = 60
"""Suggestions returned at most: a menu shows a few; more is only work per keystroke."""

KEYWORDS: tuple[str, ...] = tuple(
    """
    select from where join left right inner full outer cross lateral on using group by order
    having limit offset fetch first next rows only as and or not in is null true false like
    ilike similar between exists any all some case when then else end distinct union
    intersect except with recursive values table explain analyze buffers verbose format
    costs settings asc desc nulls last filter over partition window cast coalesce nullif
    greatest least interval current_date current_timestamp now
    """.split()
)
"""The words of a read, lower case; inserted in the case the user types."""

STATEMENT_STARTS = ("select", "with", "explain", "table", "values")
"""What a statement the pad runs begins with."""

_FROM_LIST_END = frozenset(
    {
        "WHERE",
        "ON",
        "USING",
        "GROUP_P",
        "ORDER",
        "HAVING",
        "LIMIT",
        "OFFSET",
        "WINDOW",
        "UNION",
        "INTERSECT",
        "EXCEPT",
        "FETCH",
        "FOR",
        "ASCII_41",
        "ASCII_59",
    }
)
"""Tokens after which the FROM list is over."""

_JOIN_WORDS = frozenset({"JOIN", "INNER_P", "LEFT", "RIGHT", "FULL", "OUTER_P", "CROSS", "NATURAL"})

_NAME_KINDS = frozenset({"UNRESERVED_KEYWORD", "COL_NAME_KEYWORD"})
"""Keyword kinds that can be a table name or an alias, as IDENT can."""

Token = tuple[str, str, str]
"""A scanned token: its name (`IDENT`, `FROM`, `ASCII_44`), its keyword kind, its text."""

_WORD = re.compile(r'[\w$"]*\Z')
_IDENT_BEFORE_DOT = re.compile(r'(?:"((?:[^"]|"")+)"|([\w$]+))\.\Z')
_ENUM_CONTEXT = re.compile(
    r"""(?P<column>(?:[\w$]+|"(?:[^"]|"")+")(?:\.(?:[\w$]+|"(?:[^"]|"")+"))?)\s*
        (?:=|<>|!=|\bin\s*\((?:\s*'(?:[^']|'')*'\s*,)*)\s*
        (?P<typed>'(?:[^']|'')*)?\Z""",
    re.IGNORECASE | re.VERBOSE,
)
"""`status = 'ac`, `t.status in ('a', 'b`: the column compared and the label typed so far."""


class FunctionLike(Protocol):
    """What completion reads of a catalog function (the catalog may not list functions yet)."""

    schema: str
    name: str
    arguments: str
    result: str | None


@dataclass(frozen=True)
class Suggestion:
    """One line of the completion menu."""

    text: str
    """What replaces the word being typed; empty for a hint that inserts nothing."""
    kind: str
    """keyword, schema, table, view, column, alias, function, enum or arguments."""
    detail: str = ""
    """The column's type and table, the function's signature, the table's schema."""

    @property
    def label(self) -> str:
        """What the menu shows first: the text, or the hint's detail."""
        return self.text or self.detail


@dataclass(frozen=True)
class Completion:
    """Suggestions for the word from `start` to `end` (the cursor) of the text."""

    start: int
    end: int
    items: tuple[Suggestion, ...]
    prefix: str = ""
    """The word typed so far (what the items were matched against)."""


@dataclass(frozen=True)
class RelationRef:
    """A table of the FROM clause and the name it goes by there (its alias or its name)."""

    name: str
    table: Table


def _ident_text(text: str) -> str:
    """A scanned name as PostgreSQL folds it: quoted kept as written, bare in lower case."""
    if text.startswith('"') and text.endswith('"') and len(text) >= 2:
        return text[1:-1].replace('""', '"')
    return text.lower()


def quoted(name: str) -> str:
    """A name as it must be typed (quoted when PostgreSQL would need it)."""
    return '"' + name.replace('"', '""') + '"' if needs_quoting(name) else name


def _prefix_range(keys: Sequence[str], prefix: str) -> range:
    """The indexes of sorted `keys` that start with `prefix`."""
    low = bisect.bisect_left(keys, prefix)
    high = bisect.bisect_left(keys, prefix + "\U0010ffff")
    return range(low, high)


def _case_like(word: str, typed: str) -> str:
    """A keyword in the case the user types it (upper when what they typed is upper)."""
    return word.upper() if typed and typed.isupper() else word


class CompletionIndex:
    """The catalog's names, sorted for prefix search; built once per loaded catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.schemas: tuple[str, ...] = tuple(
            sorted({*catalog.schemas, *(t.schema for t in catalog.tables)})
        )
        relations = sorted((t.name.lower(), t.qualified_name) for t in catalog.tables)
        self._relation_keys = [key for key, _ in relations]
        self._relations = [catalog.table(name) for _, name in relations]
        functions: list[FunctionLike] = list(getattr(catalog, "functions", ()) or ())
        functions.sort(key=lambda f: (f.name.lower(), f.schema))
        self._function_keys = [f.name.lower() for f in functions]
        self._functions = functions
        self._keywords = sorted(KEYWORDS)

    # -- lookups -------------------------------------------------------------------------

    def relation(self, schema: str | None, name: str) -> Table | None:
        """The table or view a FROM clause names (bare: the catalog's schema order)."""
        return self.catalog.table(f"{schema}.{name}" if schema else name)

    def relations(self, prefix: str, schema: str | None = None) -> Iterable[Table]:
        """Tables and views whose name starts with prefix (of one schema, or of all)."""
        found = _prefix_range(self._relation_keys, prefix.lower())
        if schema is None:  # all schemas: a menu's worth is all anyone reads
            found = found[:DEFAULT_LIMIT]
        for i in found:
            table = self._relations[i]
            if table is not None and (schema is None or table.schema == schema):
                yield table

    def functions(self, prefix: str, schema: str | None = None) -> Iterable[FunctionLike]:
        """Functions whose name starts with prefix (of one schema, or of all)."""
        found = _prefix_range(self._function_keys, prefix.lower())
        if schema is None:
            found = found[:DEFAULT_LIMIT]
        for i in found:
            function = self._functions[i]
            if schema is None or function.schema == schema:
                yield function

    def function_named(self, name: str) -> list[FunctionLike]:
        """Every overload of a function called `name` (any schema)."""
        key = name.lower()
        return [
            self._functions[i]
            for i in _prefix_range(self._function_keys, key)
            if self._function_keys[i] == key
        ]

    # -- completion ----------------------------------------------------------------------

    def complete(self, text: str, offset: int, limit: int = DEFAULT_LIMIT) -> Completion:
        """Suggestions for the word that ends at `offset` of `text` (the editor's cursor).

        Args:
            text: The whole editor text.
            offset: The cursor, as a character offset into text.
            limit: Return at most this many suggestions.

        Returns:
            The word's span and the suggestions, best first (empty when none fit).
        """
        offset = max(0, min(offset, len(text)))
        span = statement_at(text, offset)
        base = span[0] if span is not None and span[0] <= offset else 0
        before = text[base:offset]
        if _in_string(before):
            enum = self._enum_labels(before, text[base : span[1] if span else offset], offset)
            return enum or Completion(offset, offset, ())
        whole = text[base : max(offset, span[1] if span else offset)]
        enum = self._enum_labels(before, whole, offset)
        if enum is not None:
            return enum
        word = _WORD.search(before)
        typed = word.group(0) if word else ""
        start = offset - len(typed)
        prefix = _ident_text(typed) if typed.endswith('"') else typed.lstrip('"').lower()
        refs = from_references(self, whole)
        head = before[: len(before) - len(typed)]
        qualifier = _IDENT_BEFORE_DOT.search(head)
        if qualifier is not None:
            name = qualifier.group(1) or (qualifier.group(2) or "").lower()
            items = self._qualified(name, prefix, refs)
        else:
            items = self._unqualified(head, prefix, typed, refs)
        return Completion(start, offset, tuple(items[:limit]), prefix)

    def _qualified(self, name: str, prefix: str, refs: list[RelationRef]) -> list[Suggestion]:
        """After `name.`: the columns of the table `name` stands for, or a schema's names."""
        for ref in refs:
            if ref.name == name:
                return _columns([ref], prefix, with_table=False)
        table = self.relation(None, name)
        if table is not None and not any(name == s for s in self.schemas):
            return _columns([RelationRef(name, table)], prefix, with_table=False)
        if name in self.schemas:
            items = [_relation(t, qualify=False) for t in self.relations(prefix, name)]
            items += [_function(f, qualify=False) for f in self.functions(prefix, name)]
            return items
        return []

    def _unqualified(
        self, head: str, prefix: str, typed: str, refs: list[RelationRef]
    ) -> list[Suggestion]:
        tokens = _tokens(head)
        if not tokens:
            return [
                Suggestion(_case_like(w, typed), "keyword")
                for w in STATEMENT_STARTS
                if w.startswith(prefix)
            ]
        if tokens[-1][0] == "ASCII_40" and len(tokens) > 1:  # `fname(`: its arguments
            hints = self._argument_hints(tokens[-2][2])
            if hints and not prefix:
                return hints
        if _in_from_list(tokens):
            items = [Suggestion(quoted(s), "schema") for s in self.schemas if s.startswith(prefix)]
            return [_relation(t) for t in self.relations(prefix)] + items
        items = _columns(refs, prefix, with_table=len(refs) > 1)
        items += [
            Suggestion(quoted(ref.name), "alias", ref.table.qualified_name)
            for ref in refs
            if ref.name.startswith(prefix) and ref.name != ref.table.name
        ]
        if prefix:  # with nothing typed, the FROM clause's columns are what is wanted
            items += [_function(f) for f in self.functions(prefix)]
            items += [
                Suggestion(_case_like(k, typed), "keyword")
                for k in self._keywords
                if k.startswith(prefix)
            ]
            items += [_relation(t) for t in self.relations(prefix)]
        return items

    def _argument_hints(self, name_text: str) -> list[Suggestion]:
        return [
            Suggestion("", "arguments", f"{f.name}({f.arguments})" + _returns(f))
            for f in self.function_named(_ident_text(name_text))
        ]

    def _enum_labels(self, before: str, whole: str, offset: int) -> Completion | None:
        """After `enum_column = '`: the column's labels, quoted; None elsewhere."""
        match = _ENUM_CONTEXT.search(before)
        if match is None:
            return None
        parts = [_ident_text(p) for p in _split_qualified(match.group("column"))]
        refs = from_references(self, whole)
        candidates = [r for r in refs if len(parts) == 1 or r.name == parts[0]]
        for ref in candidates:
            column = ref.table.column(parts[-1])
            if column is not None and column.enum_values:
                typed = match.group("typed") or ""
                inner = typed[1:].replace("''", "'").lower()
                labels = [
                    Suggestion("'" + label.replace("'", "''") + "'", "enum", column.data_type)
                    for label in column.enum_values
                    if label.lower().startswith(inner)
                ]
                return Completion(offset - len(typed), offset, tuple(labels), typed)
        return None


def _in_string(text: str) -> bool:
    """Whether text ends inside a string literal (being typed): nothing to complete but an
    enum's label there."""
    try:
        scan(text)
    except ParseError:
        return text.rfind("'") > text.rfind('"')
    return False


def _split_qualified(text: str) -> list[str]:
    return re.findall(r'"(?:[^"]|"")+"|[^.]+', text)


def _returns(function: FunctionLike) -> str:
    return f" → {function.result}" if function.result else ""


def _relation(table: Table, qualify: bool = True) -> Suggestion:
    bare = qualify is False or table.schema == UNQUALIFIED_SCHEMA
    text = quoted(table.name) if bare else f"{quoted(table.schema)}.{quoted(table.name)}"
    return Suggestion(text, "view" if table.is_view else "table", table.schema)


def _function(function: FunctionLike, qualify: bool = True) -> Suggestion:
    bare = qualify is False or function.schema in (UNQUALIFIED_SCHEMA, "pg_catalog")
    name = quoted(function.name)
    text = name if bare else f"{quoted(function.schema)}.{name}"
    return Suggestion(
        text + "(", "function", f"{function.name}({function.arguments})" + _returns(function)
    )


def _columns(refs: Sequence[RelationRef], prefix: str, *, with_table: bool) -> list[Suggestion]:
    """The columns of the FROM clause's tables starting with prefix, each named once."""
    seen: set[str] = set()
    items: list[Suggestion] = []
    for ref in refs:
        for column in ref.table.columns:
            if not column.name.lower().startswith(prefix) or column.name in seen:
                continue
            seen.add(column.name)
            where = f" · {ref.name}" if with_table else ""
            items.append(Suggestion(quoted(column.name), "column", column.data_type + where))
    return items


def _tokens(text: str) -> list[Token]:
    """(name, kind, text) of each token of text as PostgreSQL scans it; an open string ends
    the text (what is being typed may be one)."""
    try:
        found = scan(text)
    except ParseError:
        quote = text.rfind("'")
        return _tokens(text[:quote]) if quote > 0 else []
    return [(t.name, t.kind, text[t.start : t.end + 1]) for t in found]


def _is_name(token: Token) -> bool:
    """Whether a token can be a table name or an alias."""
    return token[0] == "IDENT" or token[1] in _NAME_KINDS


def _in_from_list(tokens: Sequence[Token]) -> bool:
    """Whether the word being typed names a relation: right after FROM, JOIN or a comma of
    the FROM list (not after a name, which is its alias, nor after ON or WHERE)."""
    last = tokens[-1][0]
    if last in ("FROM", "JOIN"):
        return True
    if last != "ASCII_44":
        return False
    depth = 0
    for name, _, _ in reversed(tokens[:-1]):
        if name == "ASCII_41":
            depth += 1
        elif name == "ASCII_40":
            if depth == 0:
                return False
            depth -= 1
        elif depth == 0 and name in _FROM_LIST_END | {"SELECT"}:
            return False
        elif depth == 0 and name == "FROM":
            return True
    return False


def from_references(index: CompletionIndex, statement: str) -> list[RelationRef]:
    """The catalog tables a statement's FROM clauses name, with the alias each goes by.

    Every FROM and JOIN counts (subqueries' and CTEs' too): completion cannot know which
    level the cursor will end up in, and offering a column too many beats one too few.
    Tables the catalog does not have (CTE names, functions) are left out.
    """
    tokens = _tokens(statement)
    refs: list[RelationRef] = []
    i = 0
    while i < len(tokens):
        name = tokens[i][0]
        if name in ("FROM", "JOIN") or (name == "ASCII_44" and _in_from_list(tokens[: i + 1])):
            i = _read_relation(index, tokens, i + 1, refs)
        else:
            i += 1
    return refs


def _read_relation(
    index: CompletionIndex, tokens: Sequence[Token], i: int, refs: list[RelationRef]
) -> int:
    """Read `[schema.]name [[AS] alias]` from tokens[i]; add it to refs when known."""
    if i < len(tokens) and tokens[i][0] == "ONLY":
        i += 1
    if i >= len(tokens) or not _is_name(tokens[i]):
        return i
    parts = [_ident_text(tokens[i][2])]
    i += 1
    while i + 1 < len(tokens) and tokens[i][0] == "ASCII_46" and _is_name(tokens[i + 1]):
        parts.append(_ident_text(tokens[i + 1][2]))
        i += 2
    if i < len(tokens) and tokens[i][0] == "ASCII_40":
        return i  # a function in FROM: its columns are not in the catalog
    alias = None
    if i < len(tokens) and tokens[i][0] == "AS":
        i += 1
    if i < len(tokens) and _is_name(tokens[i]) and tokens[i][0] not in _JOIN_WORDS | _FROM_LIST_END:
        alias = _ident_text(tokens[i][2])
        i += 1
    schema = parts[-2] if len(parts) >= 2 else None
    table = index.relation(schema, parts[-1])
    if table is not None:
        refs.append(RelationRef(alias or table.name, table))
    return i
