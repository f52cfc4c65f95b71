"""The explorer's live keys: the shown tab's keys wherever the tab is on screen, and the
footer's order (`? Help` and `q Quit` first, so that they stay at 80 columns)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import ActiveBinding, BindingsMap
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Input, TextArea

from ehgtui.tui.widgets.detail.table_detail import TableDetail

if TYPE_CHECKING:
    from ehgtui.catalog.model import Catalog

FOOTER_FIRST = ("app.help", "app.quit")
"""The bindings the footer shows first, whatever else is on: `? Help` and `q Quit`."""


class ShownTabKeys(Screen[None]):
    """Mixed into the explorer screen, before Textual's Screen (which it extends)."""

    if TYPE_CHECKING:
        catalog: Catalog | None

        @property
        def showing_object(self) -> bool: ...

    @property
    def _binding_chain(self) -> list[tuple[DOMNode, BindingsMap]]:
        """Textual's chain (the focused widget up to the app), with the shown tab's keys
        before the screen's when the focus is elsewhere (the tree).

        A tab's keys (the Rows tab's `w`, `a`, `n`, `p`, …) belong to its body widget, so they
        worked, and the footer showed them, only once the focus was inside that tab. Now they
        work wherever the tab is on screen; the focused widget's own keys still come first,
        and a text box (the filter) keeps every key it types.
        """
        chain = super()._binding_chain
        body = self._shown_tab_body()
        focused = self.focused
        if body is None or isinstance(focused, Input | TextArea):
            return chain
        if focused is not None and (focused is body or body in focused.ancestors):
            return chain
        lifted = BindingsMap(
            binding
            for bindings in body._bindings.key_to_bindings.values()
            for binding in bindings
            if binding.show
        )
        index = next((i for i, (node, _) in enumerate(chain) if node is self), len(chain))
        chain.insert(index, (body, lifted))
        return chain

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's, with Help and Quit first: the footer drops what does not fit from the
        right, and these two must stay on screen at 80 columns."""
        bindings = super().active_bindings
        first = [key for key, active in bindings.items() if active.binding.id in FOOTER_FIRST]
        return {key: bindings[key] for key in [*first, *(k for k in bindings if k not in first)]}

    def _shown_tab_body(self) -> Widget | None:
        """The body of the table tab on screen, or None (no catalog, an object shown)."""
        if self.catalog is None or self.showing_object or not self.is_mounted:
            return None
        if self.query_one("#body", ContentSwitcher).current != "explorer":
            return None
        detail = self.query_one(TableDetail)
        return detail.active_body()
