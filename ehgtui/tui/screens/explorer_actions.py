"""What the explorer can do with the selected table: copy its DDL or Mermaid, start a migration.

A mixin of `ExplorerScreen`, kept apart so the screen module holds layout, selection and the
connection's life only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ehgtui.catalog.model import Table
from ehgtui.catalog.objects import ObjectRef, object_by_ref
from ehgtui.tui.clipboard import MERMAID_SUFFIX, copy_text
from ehgtui.tui.screens.new_migration import NewMigrationScreen
from ehgtui.tui.tasks_commands import project_dir_of
from ehgtui.tui.widgets.detail.ddl import render_table_ddl
from ehgtui.tui.widgets.detail.object_ddl import render_object_ddl
from ehgtui.tui.widgets.detail.relations import RelationsView, mermaid_text
from ehgtui.tui.widgets.detail.table_detail import TableDetail

COPY_ACTIONS = ("copy", "copy_ddl", "copy_mermaid", "new_migration")
"""Actions on the selected table, hidden until a catalog is loaded."""

if TYPE_CHECKING:
    from textual.screen import Screen

    from ehgtui.catalog.domains import DomainMap
    from ehgtui.catalog.model import Catalog

    _Base = Screen[None]
else:
    _Base = object


class TableActions(_Base):
    """Copy and new-migration actions on the explorer's selected table."""

    catalog: Catalog | None
    selected: str | None
    selected_object: ObjectRef | None
    domain_map: DomainMap | None

    def action_copy(self) -> None:
        """Copy what the detail shows: the Mermaid on the Relations tab, else the DDL (of the
        table, or of the function, type, … shown)."""
        ref = self.selected_object
        obj = object_by_ref(self.catalog, ref) if self.catalog and ref else None
        if obj is not None and self.catalog is not None:
            copy_text(self.app, render_object_ddl(self.catalog, obj), obj.name)
        elif self.query_one(TableDetail).tabs.active == "relations":
            self.action_copy_mermaid()
        else:
            self.action_copy_ddl()

    def action_copy_ddl(self) -> None:
        """Copy the selected table's DDL."""
        table = self._table_to_act_on()
        if table is not None and self.catalog is not None:
            copy_text(self.app, render_table_ddl(table, self.catalog), table.name)

    def action_copy_mermaid(self) -> None:
        """Copy the Mermaid of the selected table's neighbourhood, at the Relations tab's depth."""
        table = self._table_to_act_on()
        if table is not None and self.catalog is not None:
            depth = self.query_one(TableDetail).body(RelationsView).depth
            text = mermaid_text(self.catalog, table.qualified_name, depth, self.domain_map)
            copy_text(self.app, text, table.name, MERMAID_SUFFIX)

    def action_new_migration(self) -> None:
        """Ask for a name and an RLS pattern, then write a migration modelled on the table."""
        table = self._table_to_act_on()
        if table is not None and self.catalog is not None:
            cwd = project_dir_of(self.app)  # the app's --project-dir, or the one found at start
            self.app.push_screen(NewMigrationScreen(table, self.catalog, cwd))

    def _table_to_act_on(self) -> Table | None:
        """The selected table, or None after telling the user to select one."""
        table = self.catalog.table(self.selected) if self.catalog and self.selected else None
        if table is None:
            self.notify("select a table first", severity="warning", timeout=3)
        return table
