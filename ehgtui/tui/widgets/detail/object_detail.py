"""The right pane for a function, type, sequence, extension or publication.

The same widget shows every kind (see kinds.py): it holds as many tab panes as the kind with
the most tabs, relabels them for the kind shown and hides the rest. Only the active tab is
filled when the object changes; the others when they are activated. Moving between objects of
one kind keeps the tab (from function to function the Body stays open).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static, TabbedContent, TabPane, Tabs, TextArea

from ehgtui.catalog.model import Catalog
from ehgtui.catalog.objects import SchemaObject, object_kind
from ehgtui.safe_text import visible
from ehgtui.tui.widgets.detail.grid import DetailGrid
from ehgtui.tui.widgets.detail.kinds import KINDS, MAX_TABS, ObjectKind, TabView


def pane_id(index: int) -> str:
    """The id of the detail's `index`-th tab pane."""
    return f"object-tab-{index}"


class CodeView(TextArea):
    """Read-only SQL, highlighted when tree-sitter's SQL grammar is installed."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(
            "", read_only=True, show_line_numbers=True, soft_wrap=False, id=id, tab_behavior="focus"
        )

    def on_mount(self) -> None:
        if "sql" in self.available_languages:  # PL/pgSQL bodies read well as SQL too
            self.language = "sql"


class JumpGrid(DetailGrid):
    """An object tab's grid: enter opens the object a row names (`TabView.jumps`), or shows
    the row whole when it names none."""

    ENTER_SHOWS_RECORD = False


class ObjectTab(Vertical):
    """One tab's body: lines of text, a grid whose rows jump on enter, code; each optional."""

    DEFAULT_CSS = """
    ObjectTab {
        & > #object-text-scroll { height: auto; max-height: 60%; padding: 0 1; }
        & > DetailGrid { height: 1fr; }
        & > #object-note { height: auto; padding: 0 1; }
        & > CodeView { height: 1fr; border: none; }
        & .-hidden { display: none; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self._jumps: tuple[Message | None, ...] = ()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="object-text-scroll"):
            yield Static(id="object-text")
        yield JumpGrid((), id="object-grid")
        yield Static(id="object-note")
        yield CodeView(id="object-code")

    def show_view(self, view: TabView) -> None:
        """Show what a kind's tab rendered."""
        self.query_one("#object-text-scroll").set_class(view.text is None, "-hidden")
        self.query_one("#object-text", Static).update(view.text or "")
        grid = self.query_one("#object-grid", DetailGrid)
        grid.set_class(not view.header, "-hidden")
        grid.set_header(view.header)
        grid.show_rows(view.rows)
        self._jumps = view.jumps
        note = self.query_one("#object-note", Static)
        note.set_class(view.note is None, "-hidden")
        note.update(view.note or "")
        code = self.query_one("#object-code", CodeView)
        code.set_class(view.code is None, "-hidden")
        # control characters shown as tokens; `y` renders the DDL again, exact
        code.load_text(visible(view.code or "", multiline=True))

    def focus_first(self) -> bool:
        """Focus the grid if it shows, else the code; False when neither does."""
        for widget in (self.query_one("#object-grid"), self.query_one("#object-code")):
            if not widget.has_class("-hidden"):
                widget.focus()
                return True
        return False

    @on(DetailGrid.RowSelected, "#object-grid")
    def _jump(self, event: DetailGrid.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self._jumps):
            jump = self._jumps[event.cursor_row]
            if jump is not None:
                self.post_message(jump)
                return
        event.grid.show_record()  # a row naming nothing to open: show it whole


class ObjectDetail(Vertical):
    """The summary and the tabs of the selected object, whatever its kind."""

    DEFAULT_CSS = """
    ObjectDetail {
        & > #object-summary {
            height: 3; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis;
            background: $boost;
        }
        & > TabbedContent { height: 1fr; }
        & TabPane { padding: 0; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self._obj: SchemaObject | None = None
        self._catalog: Catalog | None = None
        self._kind: ObjectKind | None = None
        self._filled: set[int] = set()

    def compose(self) -> ComposeResult:
        yield Static(id="object-summary")
        with TabbedContent(id="object-tabs", initial=pane_id(0)):
            for index in range(MAX_TABS):
                with TabPane(f"tab {index}", id=pane_id(index)):
                    yield ObjectTab(id=f"object-tab-body-{index}")

    def on_mount(self) -> None:
        # as in TableDetail: tab moves between the tree and the tab's content, not the tab bar
        self.tabs.query_one(Tabs).can_focus = False

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one("#object-tabs", TabbedContent)

    @property
    def shown(self) -> SchemaObject | None:
        """The object shown, or None."""
        return self._obj

    @property
    def kind(self) -> ObjectKind | None:
        """The kind of the object shown."""
        return self._kind

    @property
    def active_tab(self) -> str | None:
        """The id (within its kind, e.g. `body`) of the active tab."""
        index = self._active_index()
        if self._kind is None or index is None or index >= len(self._kind.tabs):
            return None
        return self._kind.tabs[index].id

    def show_object(self, obj: SchemaObject, catalog: Catalog, tab: str | None = None) -> None:
        """Show an object: summary, its kind's tabs, the active tab's content.

        Args:
            obj: The object.
            catalog: The catalog it belongs to.
            tab: A tab of its kind to open (`body`, `used_by`, …); None keeps the current one
                when the kind stays the same, else opens the kind's first tab.
        """
        kind = KINDS[object_kind(obj)]
        same_kind = self._kind is kind
        self._obj, self._catalog, self._kind = obj, catalog, kind
        self._filled.clear()
        self.query_one("#object-summary", Static).update(kind.summary(obj))
        tabs = self.tabs
        for index in range(MAX_TABS):
            if index < len(kind.tabs):
                tabs.get_tab(pane_id(index)).label = Content(kind.tabs[index].title)
                tabs.show_tab(pane_id(index))
            else:
                tabs.hide_tab(pane_id(index))
        wanted = next((i for i, t in enumerate(kind.tabs) if t.id == tab), None)
        current = self._active_index()
        if wanted is None:
            wanted = current if same_kind and current is not None else 0
        if wanted != current:
            tabs.active = pane_id(wanted)  # TabActivated fills it
        self._fill(wanted)

    def show_tab(self, tab: str) -> None:
        """Activate the tab with this id of the kind shown (`body`); unknown ids are ignored."""
        if self._kind is None:
            return
        index = next((i for i, t in enumerate(self._kind.tabs) if t.id == tab), None)
        if index is not None:
            self.show_tab_number(index)

    def show_tab_number(self, number: int) -> None:
        """Activate the `number`-th tab (0-based) if the kind has that many; focus in the old
        tab follows it.

        With the focus in a pane, the tabbed content switches back to the pane holding the
        focus (as TableDetail.show_tab says), so the focus leaves first.
        """
        if self._kind is None or not 0 <= number < len(self._kind.tabs):
            return
        tabs = self.tabs
        focused = self.screen.focused
        in_pane = focused is not None and tabs in focused.ancestors
        if in_pane and tabs.active != pane_id(number):
            self.screen.set_focus(None)
        tabs.active = pane_id(number)
        self._fill(number)
        if in_pane:
            self.call_after_refresh(self.focus_tab)

    def step_tab(self, step: int) -> None:
        """Show the tab `step` places to the right (negative: left), wrapping around."""
        if self._kind is None:
            return
        count = len(self._kind.tabs)
        current = self._active_index() or 0
        self.show_tab_number((current + step) % count)

    def focus_tab(self) -> bool:
        """Focus the active tab's grid or code."""
        index = self._active_index()
        if index is None:
            return False
        return self.query_one(f"#object-tab-body-{index}", ObjectTab).focus_first()

    def _active_index(self) -> int | None:
        active = self.tabs.active
        if not active.startswith("object-tab-"):
            return None
        return int(active.rsplit("-", 1)[1])

    def _fill(self, index: int) -> None:
        obj, catalog, kind = self._obj, self._catalog, self._kind
        if obj is None or catalog is None or kind is None or index in self._filled:
            return
        if index >= len(kind.tabs):
            return
        view = kind.tabs[index].render(obj, catalog)
        self.query_one(f"#object-tab-body-{index}", ObjectTab).show_view(view)
        self._filled.add(index)

    @on(TabbedContent.TabActivated, "#object-tabs")
    def _fill_on_activate(self, event: TabbedContent.TabActivated) -> None:
        event.stop()
        index = self._active_index()
        if index is not None:
            self._fill(index)
