"""Object kinds for the detail pane: what each kind shows, tab by tab.

One mechanism for every kind other than tables: a kind declares its tabs (each a function from
the object and the catalog to a `TabView`: a few lines, a grid whose rows may jump somewhere,
a block of code), its summary, its tree group and its palette label; `ObjectDetail` shows
whichever kind is selected. Adding a kind is adding an entry to KINDS.

Every text from the database reaches the screen through `visible()` or `safe_content()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from textual.content import Content
from textual.message import Message

from ehgtui.catalog.domains import KIND_GROUPS
from ehgtui.catalog.function_access import api_calls, executors
from ehgtui.catalog.model import Catalog, DataType, Extension, Function, ObjectUse, Publication
from ehgtui.catalog.model import Sequence as SequenceObject
from ehgtui.catalog.objects import USES_NOT_RECORDED, ObjectRef, SchemaObject
from ehgtui.safe_text import visible
from ehgtui.tui.formatting import one_line
from ehgtui.tui.messages import OpenObject, OpenTable
from ehgtui.tui.widgets.detail.object_ddl import render_object_ddl

NOT_RECORDED = USES_NOT_RECORDED
"""What the Used by tab of a function says under its grid."""


@dataclass(frozen=True)
class TabView:
    """What one tab shows: lines of text, then a grid, then code (each optional)."""

    text: Content | None = None
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    jumps: tuple[Message | None, ...] = ()
    """Per row: what enter on it posts (OpenTable, OpenObject), or None."""
    code: str | None = None
    """SQL (shown read-only, highlighted): a body or a DDL."""
    note: Content | None = None
    """A line under the grid."""


Render = Callable[[Any, Catalog], TabView]


@dataclass(frozen=True)
class KindTab:
    """One tab of a kind."""

    id: str
    title: str
    render: Render


@dataclass(frozen=True)
class ObjectKind:
    """How the explorer shows one kind of object."""

    name: str
    """One of ehgtui.catalog.objects.OBJECT_KINDS."""
    label: str
    """In words, for the summary and the palette (`Go to function: …`)."""
    summary: Callable[[Any], Content]
    tabs: tuple[KindTab, ...] = field(default_factory=tuple)

    @property
    def group(self) -> str:
        """The tree's group of this kind's objects that no domain claims."""
        return KIND_GROUPS[self.name]


def fields_content(title: str, pairs: Sequence[tuple[str, str | None]]) -> Content:
    """`Label  value` lines under a bold title; values are database text, shown as text."""
    width = max((len(label) for label, _ in pairs), default=0)
    lines = [Content.from_markup("[b]$title[/b]", title=visible(title))]
    for label, value in pairs:
        lines.append(
            Content.from_markup(
                "[dim]$label[/dim]  $value",
                label=label.ljust(width),
                value=visible(value if value is not None else "—", multiline=False),
            )
        )
    return Content("\n").join(lines)


def _ddl_tab(obj: SchemaObject, catalog: Catalog) -> TabView:
    return TabView(code=render_object_ddl(catalog, obj))


DDL_TAB = KindTab("ddl", "DDL", _ddl_tab)


# -- what uses a function or type: rows that jump there --------------------------------------

_USE_TABS = {
    "trigger": "triggers",
    "policy": "policies",
    "default": "columns",
    "column": "columns",
    "check": "constraints",
    "constraint": "constraints",
    "index": "indexes",
}
"""The table tab a use of each kind opens."""


def use_jump(use: ObjectUse, catalog: Catalog) -> Message | None:
    """Where enter on a use goes: the table's tab (at the column), the view, the function."""
    if use.kind == "function":
        name, _, args = use.relation.partition("(")
        return OpenObject(ObjectRef("function", f"{use.schema}.{name}({args}"))
    if use.kind in ("domain", "type"):
        return OpenObject(ObjectRef("type", f"{use.schema}.{use.relation}"))
    qualified = f"{use.schema}.{use.relation}"
    if catalog.table(qualified) is None:
        return None
    column = use.name if use.kind in ("default", "column") else None
    return OpenTable(qualified, _USE_TABS.get(use.kind), column)


def uses_tab(uses: Sequence[ObjectUse], catalog: Catalog, *, functions: bool) -> TabView:
    """The Used by tab of a function or a type."""
    ordered = sorted(uses, key=lambda u: (u.kind, u.schema, u.relation, u.name or ""))
    rows = tuple((u.kind, f"{u.schema}.{u.relation}", u.name or "") for u in ordered)
    jumps = tuple(use_jump(u, catalog) for u in ordered)
    count = f"{len(rows)} use{'s' if len(rows) != 1 else ''} recorded by the server"
    head = Content.from_markup("[b]$count[/b] · enter opens one", count=count)
    if not rows:
        head = Content.from_markup("[b]no use recorded by the server[/b]")
    note = Content.from_markup("[dim]$note[/dim]", note=NOT_RECORDED) if functions else None
    return TabView(head, ("Kind", "Where", "Name"), rows, jumps, note=note)


# -- functions -----------------------------------------------------------------------------


def function_flags(function: Function) -> list[tuple[str, str]]:
    """(flag, style) pairs; the ones that matter for safety come first, styled to stand out."""
    flags: list[tuple[str, str]] = []
    if function.security_definer:
        flags.append(("SECURITY DEFINER", "$error"))
        if function.search_path is None:
            flags.append(("search_path NOT SET (mutable: runs with the caller's)", "$error"))
    elif function.search_path is None and function.language not in ("c", "internal"):
        flags.append(("search_path not set (mutable)", "$warning"))
    if function.search_path is not None:
        flags.append((f"SET search_path = {function.search_path}", "$success"))
    flags.append((function.volatility, ""))
    if function.strict:
        flags.append(("STRICT", ""))
    if function.leakproof:
        flags.append(("LEAKPROOF", ""))
    flags.append((f"PARALLEL {function.parallel}", ""))
    for item in function.config:
        if not item.startswith("search_path="):
            flags.append((f"SET {item}", ""))
    return flags


def _flags_line(function: Function) -> Content:
    parts: list[Content] = []
    for flag, style in function_flags(function):
        text = Content(visible(flag))
        parts.append(text.stylize(f"bold {style}") if style else text)
    return Content(" · ").join(parts)


def _function_summary(function: Function) -> Content:
    head = Content.from_markup(
        "[b]$name[/b]  $kind · $language · returns $result",
        name=visible(function.signature),
        kind=function.kind,
        language=visible(function.language),
        result=visible(function.result or "nothing (procedure)"),
    )
    return Content("\n").join([head, _flags_line(function), _api_line(function)])


def _api_line(function: Function) -> Content:
    """`API: anon can call · authenticated cannot` then the comment, on one line."""
    parts = [Content("API:")]
    for call in api_calls(function):
        word, style = ("can call", "$warning bold") if call.can_call else ("cannot call", "")
        parts.append(
            Content.from_markup(
                f"$role [{style}]$word[/]" if style else "$role $word", role=call.role, word=word
            )
        )
    comment = visible(one_line(function.comment, 500)) or "no comment"
    return Content(" ").join(parts[:1] + [Content(" · ").join(parts[1:])]) + Content.from_markup(
        " · [dim]$comment[/]", comment=comment
    )


def _function_overview(function: Function, catalog: Catalog) -> TabView:
    pairs: list[tuple[str, str | None]] = [
        ("signature", function.signature),
        ("arguments", function.arguments or "none"),
        ("returns", function.result or "nothing (procedure)"),
        ("kind", function.kind),
        ("language", function.language),
        ("volatility", function.volatility),
        ("security", "SECURITY DEFINER" if function.security_definer else "SECURITY INVOKER"),
        ("search_path", function.search_path or "not set: the caller's (mutable)"),
        ("config", ", ".join(function.config) or "none"),
        ("owner", function.owner),
        ("comment", one_line(function.comment, 500) or None),
    ]
    flags = Content.from_markup("[b]Flags[/b]  ") + _flags_line(function)
    return TabView(Content("\n").join([fields_content("Function", pairs), Content(""), flags]))


def _function_access(function: Function, catalog: Catalog) -> TabView:
    lines = [Content.from_markup("[b]Over the API (PostgREST /rpc)[/b]")]
    for call in api_calls(function):
        mark, style = ("✓ can call", "$warning bold") if call.can_call else ("✗ cannot", "$success")
        if call.can_call and function.security_definer:
            mark, style = ("✓ can call a SECURITY DEFINER function", "$error bold")
        lines.append(
            Content.from_markup(
                f"  $role  [{style}]$mark[/]  [dim]$reason[/dim]",
                role=call.role.ljust(13),
                mark=mark,
                reason=visible(call.reason),
            )
        )
    lines.append(Content(""))
    lines.append(Content.from_markup("[b]EXECUTE[/b]" + (" (default ACL)" * (not function.acl))))
    rows = tuple(
        (e.grantee, "EXECUTE", "yes" if e.grantable else "", e.grantor or "—")
        for e in executors(function)
    )
    header = ("Grantee", "Privilege", "Grantable", "Grantor")
    return TabView(Content("\n").join(lines), header, rows)


def _function_body(function: Function, catalog: Catalog) -> TabView:
    return TabView(
        code=function.definition
        if function.definition.endswith("\n")
        else function.definition + "\n"
    )


def _function_uses(function: Function, catalog: Catalog) -> TabView:
    return uses_tab(function.used_by, catalog, functions=True)


# -- types ---------------------------------------------------------------------------------


def type_summary(data_type: DataType) -> Content:
    what = {
        "enum": f"{len(data_type.labels)} labels",
        "domain": f"over {data_type.base_type}",
        "composite": f"{len(data_type.attributes)} attributes",
        "range": f"of {data_type.subtype}",
    }.get(data_type.kind, "")
    columns = sum(1 for u in data_type.used_by if u.kind == "column")
    return Content.from_markup(
        "[b]$name[/b]  $kind type · $what\nused by $columns column$s · owner $owner\n"
        "[dim]$comment[/]",
        name=visible(data_type.qualified_name),
        kind=data_type.kind,
        what=visible(what),
        columns=str(columns),
        s="" if columns == 1 else "s",
        owner=visible(data_type.owner),
        comment=visible(one_line(data_type.comment, 500)) or "no comment",
    )


def _type_definition(data_type: DataType, catalog: Catalog) -> TabView:
    title = f"{data_type.kind} {data_type.qualified_name}"
    rows: tuple[tuple[str, ...], ...]
    if data_type.kind == "enum":
        rows = tuple((str(n), label) for n, label in enumerate(data_type.labels, 1))
        return TabView(fields_content(title, [("labels", "in sort order")]), ("#", "Label"), rows)
    if data_type.kind == "composite":
        rows = tuple((a.name, a.data_type, a.collation or "") for a in data_type.attributes)
        return TabView(fields_content(title, []), ("Attribute", "Type", "Collation"), rows)
    if data_type.kind == "domain":
        pairs: list[tuple[str, str | None]] = [
            ("base type", data_type.base_type),
            ("default", data_type.default),
            ("not null", "yes" if data_type.not_null else "no"),
            ("collation", data_type.collation),
        ]
        rows = tuple(
            (c.name, c.definition, "" if c.validated else "NOT VALID")
            for c in data_type.constraints
        )
        return TabView(fields_content(title, pairs), ("Constraint", "Definition", "State"), rows)
    pairs = [
        ("subtype", data_type.subtype),
        ("operator class", data_type.subtype_opclass),
        ("collation", data_type.collation),
        ("canonical", data_type.canonical),
        ("subtype diff", data_type.subtype_diff),
        ("multirange", data_type.multirange),
    ]
    return TabView(fields_content(title, pairs))


def _type_uses(data_type: DataType, catalog: Catalog) -> TabView:
    return uses_tab(data_type.used_by, catalog, functions=False)


# -- sequences, extensions, publications ----------------------------------------------------


def sequence_summary(sequence: SequenceObject) -> Content:
    owned = (
        f"owned by {sequence.owned_by_table}.{sequence.owned_by_column}"
        if sequence.owned_by_table
        else "standalone"
    )
    return Content.from_markup(
        "[b]$name[/b]  sequence · $type\n$owned$identity · owner $owner",
        name=visible(f"{sequence.schema}.{sequence.name}"),
        type=visible(sequence.data_type),
        owned=visible(owned),
        identity=" (identity)" if sequence.is_identity else "",
        owner=visible(sequence.owner),
    )


def _sequence_fields(sequence: SequenceObject, catalog: Catalog) -> TabView:
    pairs: list[tuple[str, str | None]] = [
        ("type", sequence.data_type),
        ("start", str(sequence.start)),
        ("increment", str(sequence.increment)),
        ("min value", str(sequence.min_value)),
        ("max value", str(sequence.max_value)),
        ("cache", str(sequence.cache)),
        ("cycle", "yes" if sequence.cycle else "no"),
        ("unlogged", "yes" if sequence.unlogged else "no"),
        (
            "owned by",
            f"{sequence.owned_by_table}.{sequence.owned_by_column}"
            if sequence.owned_by_table
            else "none (standalone)",
        ),
        ("identity", "yes" if sequence.is_identity else "no"),
        ("owner", sequence.owner),
        ("grants", ", ".join(sequence.acl) or "defaults"),
    ]
    jumps: tuple[Message | None, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    if sequence.owned_by_table and catalog.table(sequence.owned_by_table) is not None:
        rows = ((sequence.owned_by_table, sequence.owned_by_column or ""),)
        jumps = (OpenTable(sequence.owned_by_table, "columns", sequence.owned_by_column),)
    title = f"sequence {sequence.schema}.{sequence.name}"
    return TabView(fields_content(title, pairs), ("Owning table", "Column"), rows, jumps)


def extension_summary(extension: Extension) -> Content:
    outdated = (
        extension.default_version is not None and extension.default_version != extension.version
    )
    state = f"default {extension.default_version} available" if outdated else "up to date"
    return Content.from_markup(
        "[b]$name[/b]  extension · version $version in schema $schema\n$state\n[dim]$comment[/]",
        name=visible(extension.name),
        version=visible(extension.version),
        schema=visible(extension.schema),
        state=visible(state),
        comment=visible(one_line(extension.comment, 500)) or "no comment",
    )


def _extension_fields(extension: Extension, catalog: Catalog) -> TabView:
    pairs: list[tuple[str, str | None]] = [
        ("schema", extension.schema),
        ("installed version", extension.version),
        ("default version", extension.default_version),
        ("relocatable", "yes" if extension.relocatable else "no"),
        ("owner", extension.owner),
        ("comment", one_line(extension.comment, 500) or None),
    ]
    return TabView(fields_content(f"extension {extension.name}", pairs))


def publication_summary(publication: Publication) -> Content:
    what = "all tables" if publication.all_tables else f"{len(publication.tables)} tables"
    return Content.from_markup(
        "[b]$name[/b]  publication · $what\npublishes $ops · owner $owner\n[dim]$comment[/]",
        name=visible(publication.name),
        what=what,
        ops=", ".join(publication.operations) or "nothing",
        owner=visible(publication.owner),
        comment=visible(one_line(publication.comment, 500)) or "no comment",
    )


def _publication_fields(publication: Publication, catalog: Catalog) -> TabView:
    pairs: list[tuple[str, str | None]] = [
        ("all tables", "yes" if publication.all_tables else "no"),
        ("publishes", ", ".join(publication.operations) or "nothing"),
        ("via root", "yes" if publication.via_root else "no"),
        ("schemas", ", ".join(publication.schemas) or None),
        ("owner", publication.owner),
    ]
    rows = tuple(
        (f"{t.schema}.{t.name}", ", ".join(t.columns) or "all", t.row_filter or "")
        for t in publication.tables
    )
    jumps = tuple(
        OpenTable(f"{t.schema}.{t.name}") if catalog.table(f"{t.schema}.{t.name}") else None
        for t in publication.tables
    )
    title = f"publication {publication.name}"
    return TabView(fields_content(title, pairs), ("Table", "Columns", "Row filter"), rows, jumps)


KINDS: dict[str, ObjectKind] = {
    "function": ObjectKind(
        "function",
        "function",
        _function_summary,
        (
            KindTab("body", "Body", _function_body),
            KindTab("overview", "Overview", _function_overview),
            KindTab("access", "Access", _function_access),
            KindTab("used_by", "Used by", _function_uses),
            DDL_TAB,
        ),
    ),
    "type": ObjectKind(
        "type",
        "type",
        type_summary,
        (
            KindTab("definition", "Definition", _type_definition),
            KindTab("used_by", "Used by", _type_uses),
            DDL_TAB,
        ),
    ),
    "sequence": ObjectKind(
        "sequence",
        "sequence",
        sequence_summary,
        (KindTab("fields", "Sequence", _sequence_fields), DDL_TAB),
    ),
    "extension": ObjectKind(
        "extension",
        "extension",
        extension_summary,
        (KindTab("fields", "Extension", _extension_fields), DDL_TAB),
    ),
    "publication": ObjectKind(
        "publication",
        "publication",
        publication_summary,
        (KindTab("fields", "Publication", _publication_fields), DDL_TAB),
    ),
}
"""Every kind the detail pane shows besides tables, by name."""

MAX_TABS = max(len(kind.tabs) for kind in KINDS.values())
"""The most tabs a kind has: the detail pane holds that many panes and relabels them."""
