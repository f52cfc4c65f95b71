"""The left pane: the filter box over the domain tree, wired together.

The pane is the parent of both, so it is the one that turns filter input into tree calls
(siblings never call each other). What the user picks still bubbles up as DomainTree messages.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input

from ehgtui.catalog.domains import DomainMap
from ehgtui.catalog.objects import ObjectRef
from ehgtui.tui.widgets.tree.domain_tree import DomainTree, Target
from ehgtui.tui.widgets.tree.filter_input import TableFilter


class TreePane(Vertical):
    """The filter box (hidden until `/`) above the domain tree."""

    DEFAULT_CSS = """
    TreePane {
        & > TableFilter { display: none; }
        &.-filtering > TableFilter { display: block; }
    }
    """

    def compose(self) -> ComposeResult:
        yield TableFilter(id="table-filter")
        yield DomainTree(id="domain-tree")

    @property
    def domain_tree(self) -> DomainTree:
        """The domain tree."""
        return self.query_one(DomainTree)

    @property
    def filter_box(self) -> TableFilter:
        """The filter input."""
        return self.query_one(TableFilter)

    def show_domains(self, domain_map: DomainMap, keep: Target | None) -> None:
        """Show a (new) domain map, keeping the filter in force and the cursor on `keep`.

        Args:
            domain_map: The grouped catalog.
            keep: `schema.table` to keep the cursor on.
        """
        self.domain_tree.show_domains(domain_map, keep)

    def open_filter(self) -> None:
        """Show the filter box and focus it (the `/` key)."""
        self.add_class("-filtering")
        self.filter_box.focus()

    def close_filter(self) -> None:
        """Hide and clear the filter, show the whole tree, focus it, keep the cursor."""
        keep = self.domain_tree.highlighted
        self.remove_class("-filtering")
        with self.filter_box.prevent(Input.Changed):
            self.filter_box.value = ""
        self.domain_tree.clear_filter()
        if keep:
            self.domain_tree.select_table(keep, post=False)
        self.domain_tree.focus()

    @on(Input.Changed, "#table-filter")
    def _filter_as_typed(self, event: Input.Changed) -> None:
        event.stop()
        best = self.domain_tree.apply_filter(event.value)
        if best is not None:
            # the detail pane previews what enter would open (announced here, because the
            # Tree stays silent when the cursor's line number happens not to change)
            self.post_message(_highlighted(best))

    @on(Input.Submitted, "#table-filter")
    def _open_first_match(self, event: Input.Submitted) -> None:
        event.stop()
        first = self.domain_tree.apply_filter(event.value)
        self.close_filter()
        if isinstance(first, ObjectRef):
            self.domain_tree.select_table(first)
            self.post_message(DomainTree.ObjectChosen(first))
        elif first:
            self.domain_tree.select_table(first)
            self.post_message(DomainTree.TableChosen(first))

    @on(TableFilter.Cancelled)
    def _cancel(self, event: TableFilter.Cancelled) -> None:
        event.stop()
        self.close_filter()

    @on(TableFilter.LeaveDown)
    def _to_results(self, event: TableFilter.LeaveDown) -> None:
        event.stop()
        self.domain_tree.focus()
        if self.domain_tree.cursor_line < 0:
            self.domain_tree.cursor_line = 0


def _highlighted(target: Target) -> DomainTree.TableHighlighted | DomainTree.ObjectHighlighted:
    if isinstance(target, ObjectRef):
        return DomainTree.ObjectHighlighted(target)
    return DomainTree.TableHighlighted(target)
