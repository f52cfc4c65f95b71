"""The DDL tab: the table's DDL, read-only and highlighted when tree-sitter SQL is installed.

`render_table_ddl` is the one place the TUI renders a table's DDL (`ehgtui.ddl.table_ddl`).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widgets import TextArea

from ehgtui.catalog.model import Catalog, Table
from ehgtui.ddl import table_ddl
from ehgtui.safe_text import visible


def render_table_ddl(table: Table, catalog: Catalog) -> str:
    """Return the table's DDL, or a one-line SQL comment saying why it could not be rendered.

    Args:
        table: The table.
        catalog: The whole catalog (sequences, referenced types live there).

    Returns:
        The DDL text, ending with a newline.
    """
    return rendered_or_comment(lambda: table_ddl(table, catalog), table.qualified_name)


def rendered_or_comment(render: Callable[[], str], name: str) -> str:
    """What `render` returns, ending with a newline; if it fails, one SQL comment saying why.

    Args:
        render: Renders the DDL of one object.
        name: The object's name, for the comment.
    """
    try:
        text = render()
    except Exception as exc:  # one object the renderer cannot handle must not take the UI down
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"-- could not render the DDL of {name}: {first}\n"
    return text if text.endswith("\n") else text + "\n"


class DdlView(TextArea):
    """A read-only TextArea showing the selected table's DDL."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(
            "", read_only=True, show_line_numbers=True, soft_wrap=False, id=id, tab_behavior="focus"
        )

    def on_mount(self) -> None:
        if "sql" in self.available_languages:
            self.language = "sql"

    def show_table(self, table: Table, catalog: Catalog) -> None:
        """Show the DDL of `table`.

        Args:
            table: The table to show.
            catalog: The whole catalog, which the DDL renderer needs.
        """
        # shown with control characters as tokens; copying renders the DDL again, exact
        self.load_text(visible(render_table_ddl(table, catalog), multiline=True))
