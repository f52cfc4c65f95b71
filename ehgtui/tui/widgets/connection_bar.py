"""The one-line header: masked connection, server version, table count and load state."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from ehgtui.tui.safe import safe_content


class ConnectionBar(Widget):
    """Shows where we are connected (password masked) and what the catalog holds.

    It only renders its reactive attributes; the explorer screen sets them.
    """

    DEFAULT_CSS = """
    ConnectionBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    target_label: reactive[str] = reactive("")
    """The masked DSN (never the password) and where it came from."""
    server_version: reactive[str] = reactive("")
    """e.g. `PostgreSQL 18.1`; empty until connected."""
    table_count: reactive[int | None] = reactive(None)
    """Tables in the catalog, views not counted (as `ehgtui docs` counts); None until loaded."""
    view_count: reactive[int] = reactive(0)
    """Views (plain and materialised) in the catalog."""
    status: reactive[str] = reactive("starting…")
    """What is happening now: `connecting…`, `loading catalog…`, `refreshing…`, or ""."""
    disconnected: reactive[bool] = reactive(False)
    """The connection was lost: the word `disconnected` is shown (in words, not colour alone)."""

    def render(self) -> Content:
        # short facts first: on a narrow terminal the long DSN is what gets cut
        parts = [Content.styled("ehgtui", "bold $accent")]
        if self.disconnected:  # first: the one fact that must never be cut off
            parts.append(Content.styled("disconnected", "bold $text-error"))
        if self.server_version:
            parts.append(safe_content(self.server_version))
        if self.table_count is not None:
            parts.append(Content(f"{self.table_count} tables, {self.view_count} views"))
        if self.status:
            parts.append(safe_content(self.status).stylize_before("italic $text-muted"))
        if self.target_label:
            parts.append(safe_content(self.target_label))
        return Content(" · ").join(parts)
