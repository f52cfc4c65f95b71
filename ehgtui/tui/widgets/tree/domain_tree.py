"""The domain tree: every relation grouped by business domain, with its RLS state at a glance.

Domain nodes are made up front (a few dozen); a domain's table nodes are made only when it is
first expanded, so a catalog of 10,000 tables costs nothing until someone looks. Labels are
drawn at render time from the node's data and the widget's component classes, so a theme change
recolours them without rebuilding anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import nullcontext
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ehgtui.catalog.domains import Domain, DomainMap
from ehgtui.catalog.model import Function, Table
from ehgtui.catalog.objects import ObjectRef, SchemaObject, ref_of
from ehgtui.find.score import FUZZY_CEILING, column_score, fuzzy_score
from ehgtui.safe_text import visible
from ehgtui.tui.formatting import MISSING_MARK, RLS_MARKS, rls_state

FILTER_RESULT_LIMIT = 400
"""At most this many tables are listed while filtering: more would not help anyone choose."""


@dataclass(frozen=True)
class DomainEntry:
    """Node data of a domain: its tables are added to the node on first expansion."""

    domain: Domain


@dataclass(frozen=True)
class TableEntry:
    """Node data of a table that exists."""

    table: Table
    domain: str
    matched_column: str | None = None
    """While filtering: the column the filter found the table by (its name did not match)."""


@dataclass(frozen=True)
class ObjectEntry:
    """Node data of a function, type, sequence, extension or publication."""

    obj: SchemaObject
    ref: ObjectRef
    domain: str


@dataclass(frozen=True)
class MissingEntry:
    """Node data of a key table the README names that this database lacks."""

    name: str
    domain: str


NodeData = DomainEntry | TableEntry | ObjectEntry | MissingEntry

Target = str | ObjectRef
"""What a tree line can stand for: a table (`schema.table`) or another object."""

KIND_MARKS: dict[str, str] = {
    "function": "ƒ",
    "type": "τ",
    "sequence": "#",
    "extension": "⊕",
    "publication": "⇢",
}
"""The marker in front of an object of each kind (where a table has its RLS marker)."""


def object_label(obj: SchemaObject, primary_schema: str) -> str:
    """An object's name in the tree: a function with its arguments (overloads differ by
    them), outside the primary schema qualified."""
    name = obj.name
    if isinstance(obj, Function):
        name = f"{obj.name}({obj.identity_arguments})"
    schema = getattr(obj, "schema", None)
    if schema is not None and schema != primary_schema and not hasattr(obj, "version"):
        name = f"{schema}.{name}"
    return name


class DomainTree(Tree[NodeData]):
    """Domains, then their tables, each table marked with its RLS state.

    Markers: `●` RLS on with policies, `○` RLS on without policies, `✗` RLS off, `◇` view,
    `?` a missing key table (also dimmed and labelled "missing"). Other objects carry their
    kind's mark (KIND_MARKS): `ƒ` function, `τ` type, `#` sequence, `⊕` extension,
    `⇢` publication.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="tree.down"),
        Binding("k", "cursor_up", "Up", show=False, id="tree.up"),
        Binding("enter", "select_cursor", "Open", id="tree.open"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | j, down | Move to the next node. |
    | k, up | Move to the previous node. |
    | enter | Open the table, function, type, … (or expand/collapse the domain). |
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "domain-tree--domain",
        "domain-tree--count",
        "domain-tree--change",
        "domain-tree--rls-on",
        "domain-tree--rls-no-policies",
        "domain-tree--rls-off",
        "domain-tree--view",
        "domain-tree--missing",
        "domain-tree--badge",
        "domain-tree--kind",
    }
    """
    | Class | Description |
    | :- | :- |
    | `domain-tree--domain` | A domain's name. |
    | `domain-tree--count` | The table count after a domain's name. |
    | `domain-tree--change` | A table's mark after comparing with a snapshot (`+`, `~`, `>`). |
    | `domain-tree--rls-on` | Marker of a table with RLS on and policies. |
    | `domain-tree--rls-no-policies` | Marker of a table with RLS on and no policy. |
    | `domain-tree--rls-off` | Marker (and count) of tables with RLS off. |
    | `domain-tree--view` | Marker of a view. |
    | `domain-tree--missing` | A key table the database lacks. |
    | `domain-tree--badge` | A check's badge after a table's marker (`!` or `i`). |
    | `domain-tree--kind` | The kind mark of a function, type, sequence, … |
    """

    DEFAULT_CSS = """
    DomainTree {
        & > .domain-tree--domain { text-style: bold; }
        & > .domain-tree--count { color: $text-muted; }
        & > .domain-tree--change { color: $warning; text-style: bold; }
        & > .domain-tree--rls-on { color: $success; }
        & > .domain-tree--rls-no-policies { color: $warning; }
        & > .domain-tree--rls-off { color: $error; text-style: bold; }
        & > .domain-tree--view { color: $accent; }
        & > .domain-tree--missing { color: $text-disabled; text-style: italic; }
        & > .domain-tree--badge { color: $warning; text-style: bold; }
        & > .domain-tree--kind { color: $secondary; }
    }
    """

    class TableHighlighted(Message):
        """The cursor moved onto a table (or a missing key table): show it."""

        def __init__(self, qualified_name: str | None, missing_name: str | None = None) -> None:
            super().__init__()
            self.qualified_name = qualified_name
            """`schema.table` of the highlighted table; None for a missing one."""
            self.missing_name = missing_name
            """The name of a missing key table, when that is what is highlighted."""

    class ObjectHighlighted(Message):
        """The cursor moved onto a function, type, sequence, extension or publication."""

        def __init__(self, ref: ObjectRef) -> None:
            super().__init__()
            self.ref = ref

    class ObjectChosen(Message):
        """Enter (or a click) on an object: the user wants to look at its detail."""

        def __init__(self, ref: ObjectRef) -> None:
            super().__init__()
            self.ref = ref

    class TableChosen(Message):
        """Enter (or a click) on a table: the user wants to look at its detail."""

        def __init__(self, qualified_name: str) -> None:
            super().__init__()
            self.qualified_name = qualified_name
            """`schema.table` of the chosen table."""

    def __init__(
        self,
        *,
        id: str | None = None,  # noqa: A002 (Textual's own name)
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__("domains", id=id, classes=classes, disabled=disabled)
        self.show_root = False
        self.guide_depth = 2
        self._domain_map: DomainMap | None = None
        self._filter = ""
        self._change_marks: dict[str, str] = {}
        self._pending_reveal: tuple[TreeNode[NodeData], TreeNode[NodeData]] | None = None
        self._badges: dict[str, str] = {}
        self.key_tables: tuple[str, ...] = ()
        """`schema.table` of the domains' README key tables, in the README's order: they are
        listed first in their group, in that order, so the table the explorer opens with
        (the first one) sits right under its group's heading."""

    # -- rendering -------------------------------------------------------------------------

    def render_label(self, node: TreeNode[NodeData], base_style: Style, style: Style) -> Text:
        """Draw a label from the node's data with the current theme's component styles."""
        parts = self._label_parts(node)
        if parts is None:
            label = node._label.copy()
        else:
            get_style = self.get_component_rich_style
            label = Text.assemble(
                *((text, get_style(name, partial=True)) if name else text for text, name in parts)
            )
        label.stylize(style)
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            return Text.assemble((icon, base_style), label)
        return label

    def get_label_width(self, node: TreeNode[NodeData]) -> int:
        """The cells `render_label` takes, counted from the plain parts without styling them.

        Textual measures every line of the tree on each rebuild (expand, filter, reload):
        drawing each label only to measure it was three quarters of a rebuild.
        """
        parts = self._label_parts(node)
        width = node._label.cell_len if parts is None else sum(cell_len(t) for t, _ in parts)
        if node.allow_expand:
            width += cell_len(self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE)
        return width

    def _label_parts(self, node: TreeNode[NodeData]) -> list[tuple[str, str]] | None:
        """A label as (text, component class) parts, "" for unstyled text; None for a node
        with a label of its own (the root)."""
        data = node.data
        if isinstance(data, DomainEntry):
            return self._domain_parts(data.domain)
        if isinstance(data, TableEntry):
            table = data.table
            mark = self._change_marks.get(table.qualified_name)
            change = [(mark, "domain-tree--change")] if mark else []
            column = data.matched_column
            found = [(f" .{visible(column)}", "domain-tree--count")] if column else []
            return change + self._table_parts(table) + found
        if isinstance(data, MissingEntry):
            return [(f"{MISSING_MARK} {visible(data.name)} (missing)", "domain-tree--missing")]
        if isinstance(data, ObjectEntry):
            name = visible(object_label(data.obj, self._primary_schema))
            return [(KIND_MARKS[data.ref.kind], "domain-tree--kind"), (" ", ""), (name, "")]
        return None

    def _domain_parts(self, domain: Domain) -> list[tuple[str, str]]:
        count = len(domain.objects) if domain.kind else len(domain.tables)
        parts = [
            (visible(domain.name), "domain-tree--domain"),
            (f" {count}", "domain-tree--count"),
        ]
        if domain.objects and not domain.kind:  # functions a domain claims by name
            parts.append((f" {KIND_MARKS['function']}{len(domain.objects)}", "domain-tree--count"))
        rls_off = sum(1 for t in domain.tables if rls_state(t) == "off")
        if rls_off:
            parts.append((f" {RLS_MARKS['off']}{rls_off}", "domain-tree--rls-off"))
        if domain.missing_key_tables:
            parts.append(
                (f" {MISSING_MARK}{len(domain.missing_key_tables)}", "domain-tree--missing")
            )
        return parts

    def _table_parts(self, table: Table) -> list[tuple[str, str]]:
        state = rls_state(table)
        marker = (RLS_MARKS[state], f"domain-tree--{_STATE_CLASS[state]}")
        name = visible(table.name if table.schema == self._primary_schema else table.qualified_name)
        badge = self._badges.get(table.qualified_name)
        if badge:  # a check found something here: a symbol, not colour alone
            return [marker, (badge, "domain-tree--badge"), (" ", ""), (name, "")]
        return [marker, (" ", ""), (name, "")]

    @property
    def _primary_schema(self) -> str:
        if self._domain_map and self._domain_map.domains:
            first = next((d.tables[0] for d in self._domain_map.domains if d.tables), None)
            return first.schema if first else "public"
        return "public"

    # -- public API (method calls down) ----------------------------------------------------

    @property
    def badges(self) -> dict[str, str]:
        """Badges in force, by `schema.table` (set by the last check run)."""
        return dict(self._badges)

    def set_badges(self, badges: dict[str, str]) -> None:
        """Mark tables a check found problems on: the badge follows the RLS marker.

        Args:
            badges: `schema.table` to a short badge (`!`, `i`); replaces earlier badges.
        """
        self._badges = dict(badges)
        self._invalidate()
        self.refresh()

    @property
    def filter_text(self) -> str:
        """The filter in force; empty when the whole tree is shown."""
        return self._filter

    @property
    def highlighted_table(self) -> str | None:
        """`schema.table` under the cursor, or None."""
        node = self.cursor_node
        if node is not None and isinstance(node.data, TableEntry):
            return node.data.table.qualified_name
        return None

    @property
    def highlighted(self) -> Target | None:
        """The table or object under the cursor, or None."""
        node = self.cursor_node
        return _target(node.data) if node is not None else None

    def show_domains(self, domain_map: DomainMap, keep: Target | None = None) -> None:
        """Show a (new) domain map, keeping expanded domains and the cursor on `keep`.

        Args:
            domain_map: The domains to show.
            keep: `schema.table` to put the cursor back on, if it still exists.
        """
        expanded = {
            n.data.domain.name
            for n in self.root.children
            if isinstance(n.data, DomainEntry) and n.is_expanded
        }
        self._domain_map = domain_map
        self._rebuild(expanded)
        if keep:
            self.select_table(keep, post=False)

    def set_change_marks(self, marks: Mapping[str, str]) -> None:
        """Mark tables that differ from a compared snapshot (`+` added, `~` changed, `>`
        renamed) in front of their RLS marker; an empty mapping clears the marks.

        Args:
            marks: `schema.table` to its one-character mark.
        """
        self._change_marks = dict(marks)
        self.notify_style_update()  # labels are drawn at render time: redraw every line

    def select_table(self, qualified_name: Target, post: bool = True) -> bool:
        """Expand the table's (or object's) domain and put the cursor on it.

        Args:
            qualified_name: `schema.table`, or an object's reference.
            post: Whether the move should announce itself (TableHighlighted) as usual.

        Returns:
            False when the table is not in the tree.
        """
        if self._domain_map is None:
            return False
        if isinstance(qualified_name, ObjectRef):
            domain_name = self._domain_map.by_object.get(qualified_name)
        else:
            domain_name = self._domain_map.by_table.get(qualified_name)
        if self._filter and not any(
            _target(n.data) == qualified_name for d in self.root.children for n in d.children
        ):
            self.clear_filter()
        for domain_node in self.root.children:
            data = domain_node.data
            if not isinstance(data, DomainEntry) or data.domain.name != domain_name:
                continue
            self._populate(domain_node)
            domain_node.expand()
            for node in domain_node.children:
                if _target(node.data) == qualified_name:
                    # rebuilding the line index (so that node.line is valid) re-announces the
                    # old cursor node when its line moved: a silent move silences that too,
                    # or the detail would go back to the old table after the new one
                    quiet = nullcontext() if post else self.prevent(Tree.NodeHighlighted)
                    with quiet:
                        self.get_node_at_line(0)
                        self.move_cursor(node)
                    self.call_after_refresh(self._reveal, domain_node, node)
                    return True
        return False

    def _reveal(self, domain_node: TreeNode[NodeData], node: TreeNode[NodeData]) -> None:
        """Scroll so the table shows under its domain's heading, or mid-pane if that is far.

        The position depends only on the lines and the pane's height (never on the previous
        scroll), so it is the same however layout and this call interleave. Before the pane
        has a height (first load, while it was hidden) it waits for the next resize.
        """
        height = self.scrollable_content_region.height
        if height <= 0:
            self._pending_reveal = (domain_node, node)
            return
        self._pending_reveal = None
        if node.line < 0 or domain_node.line < 0:
            return
        if node.line - domain_node.line < height:
            self.scroll_to(y=domain_node.line, animate=False, immediate=True)
        else:
            self.scroll_to(y=max(0, node.line - height // 2), animate=False, immediate=True)

    def on_resize(self) -> None:
        if self._pending_reveal is not None:
            self._reveal(*self._pending_reveal)

    def apply_filter(self, query: str) -> Target | None:
        """Show only tables and objects whose name fuzzily matches `query`, across all groups.

        Args:
            query: What the user typed; empty restores the whole tree.

        Returns:
            `schema.table` (or the reference) of the best match (what enter opens), or None.
        """
        query = query.strip()
        if query == self._filter:
            return self.first_match()
        self._filter = query
        self._rebuild(set())
        best = self.first_match()
        if best is not None:
            self.select_table(best, post=False)  # the caller announces the preview
        return best

    def clear_filter(self) -> None:
        """Leave filter mode and show every domain again (collapsed but the cursor's)."""
        if self._filter:
            self._filter = ""
            self._rebuild(set())

    def first_match(self) -> Target | None:
        """The best match of the filter in force (a table's `schema.table` or an object's
        reference), or None."""
        if not self._filter:
            return None
        best: tuple[float, Target] | None = None
        for domain_node in self.root.children:
            for node in domain_node.children:
                data = node.data
                if isinstance(data, TableEntry | ObjectEntry):
                    member = data.table if isinstance(data, TableEntry) else data.obj
                    score = self._filter_score(member)[0]
                    if best is None or score > best[0]:
                        best = (score, _target(data) or "")
        return best[1] if best else None

    # -- building --------------------------------------------------------------------------

    def _rebuild(self, expanded: set[str]) -> None:
        self.clear()
        if self._domain_map is None:
            return
        if self._filter:
            self._build_filtered()
            return
        for domain in self._domain_map.groups:
            node = self.root.add(Text(visible(domain.name)), DomainEntry(domain), allow_expand=True)
            if domain.name in expanded:
                self._populate(node)
                node.expand()

    def _build_filtered(self) -> None:
        """List matching tables under their domains, the domain with the best match first.

        Ordering domains by their best hit puts the best match on the first line, so what
        enter opens is what the user sees at the top.
        """
        assert self._domain_map is not None
        groups: list[tuple[float, int, Domain, list[tuple[Table | SchemaObject, str | None]]]]
        groups = []
        for index, domain in enumerate(self._domain_map.groups):
            members: tuple[Table | SchemaObject, ...] = (*domain.tables, *domain.objects)
            scored = sorted((self._filter_score(m) for m in members), key=lambda p: -p[0])
            hits = [(m, column) for score, m, column in scored if score > 0]
            if hits:
                groups.append((scored[0][0], index, domain, hits))
        remaining = FILTER_RESULT_LIMIT
        for _, _, domain, hits in sorted(groups, key=lambda g: (-g[0], g[1])):
            hits = hits[:remaining]
            remaining -= len(hits)
            tables = tuple(h for h, _ in hits if isinstance(h, Table))
            objects = tuple(h for h, _ in hits if not isinstance(h, Table))
            filtered = Domain(
                domain.name, domain.description, tables, objects=objects, kind=domain.kind
            )
            node = self.root.add(Text(visible(domain.name)), DomainEntry(filtered), expand=True)
            for hit, column in hits:
                if isinstance(hit, Table):
                    entry = TableEntry(hit, domain.name, column)
                    node.add_leaf(Text(visible(hit.name)), entry)
                else:
                    node.add_leaf(
                        Text(visible(hit.name)), ObjectEntry(hit, ref_of(hit), domain.name)
                    )
            if remaining <= 0:
                break

    def _filter_score(
        self, member: Table | SchemaObject
    ) -> tuple[float, Table | SchemaObject, str | None]:
        """How well the filter matches a member: by its name, or (a table) by a column,
        ranked below every literal name match (`find.score.column_score`)."""
        score = fuzzy_score(self._filter, member.name)
        if isinstance(member, Table) and score <= FUZZY_CEILING:
            by_column, column = column_score(self._filter, (c.name for c in member.columns))
            if by_column > score:
                return by_column, member, column
        return score, member, None

    def _populate(self, node: TreeNode[NodeData]) -> None:
        """Create a domain's table nodes, once: the lazy half of the tree."""
        data = node.data
        if not isinstance(data, DomainEntry) or node.children:
            return
        rank = {name: index for index, name in enumerate(self.key_tables)}
        last = len(rank)
        for table in sorted(
            data.domain.tables, key=lambda t: (rank.get(t.qualified_name, last), t.name)
        ):
            node.add_leaf(Text(visible(table.name)), TableEntry(table, data.domain.name))
        for name in data.domain.missing_key_tables:
            node.add_leaf(Text(visible(name)), MissingEntry(name, data.domain.name))
        for obj in data.domain.objects:
            node.add_leaf(Text(visible(obj.name)), ObjectEntry(obj, ref_of(obj), data.domain.name))

    # -- events (messages up) --------------------------------------------------------------

    @on(Tree.NodeExpanded)
    def _populate_on_expand(self, event: Tree.NodeExpanded[NodeData]) -> None:
        event.stop()
        self._populate(event.node)

    @on(Tree.NodeHighlighted)
    def _announce_highlight(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, TableEntry):
            self.post_message(self.TableHighlighted(data.table.qualified_name))
        elif isinstance(data, MissingEntry):
            self.post_message(self.TableHighlighted(None, missing_name=data.name))
        elif isinstance(data, ObjectEntry):
            self.post_message(self.ObjectHighlighted(data.ref))

    @on(Tree.NodeSelected)
    def _announce_choice(self, event: Tree.NodeSelected[NodeData]) -> None:
        event.stop()
        data = event.node.data
        if isinstance(data, TableEntry):
            self.post_message(self.TableChosen(data.table.qualified_name))
        elif isinstance(data, ObjectEntry):
            self.post_message(self.ObjectChosen(data.ref))


def _target(data: NodeData | None) -> Target | None:
    """The table or object a node stands for (None for a domain or a missing table)."""
    if isinstance(data, TableEntry):
        return data.table.qualified_name
    if isinstance(data, ObjectEntry):
        return data.ref
    return None


_STATE_CLASS = {"on": "rls-on", "no-policies": "rls-no-policies", "off": "rls-off", "view": "view"}
"""RLS state key to component-class suffix."""
