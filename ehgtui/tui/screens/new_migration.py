"""The "New migration from <table>…" modal: a name and an RLS pattern, then a file.

The SQL comes from `ehgtui.ddl.new_migration` (the README's five required elements). The file
goes to `database/migrations/` of the app's project directory (`--project-dir`, else the
nearest ancestor of the current directory with `package.json` or `supabase/`) when that
directory exists, else to the current directory, and is never
overwritten: a name clash is reported in the modal, which stays open to pick another name.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from ehgtui.catalog.model import Catalog, Table
from ehgtui.ddl import DEFAULT_PATTERN, RLS_PATTERNS, MigrationError, new_migration
from ehgtui.migrations.files import ProjectNotFoundError, find_project_dir, write_new_migration

MIGRATIONS_SUBDIR = Path("database") / "migrations"
"""Where the README's migrations live, under the project directory."""


def migration_directory(cwd: Path) -> Path:
    """Where a new migration file goes: the project's `database/migrations/`, else `cwd`.

    Args:
        cwd: The current directory, where the project search starts.

    Returns:
        An existing directory.
    """
    try:
        project = find_project_dir(cwd)
    except ProjectNotFoundError:
        return cwd
    candidate = project / MIGRATIONS_SUBDIR
    return candidate if candidate.is_dir() else cwd


class NewMigrationScreen(ModalScreen[Path | None]):
    """Ask for the new table's name and RLS pattern; dismiss with the written file's path."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="new_migration.cancel"),
        Binding(
            "ctrl+s",
            "write",
            "Write",
            tooltip="Write the migration file (enter in the name field does too)",
            id="new_migration.write",
        ),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape | Close without writing. |
    | ctrl+s, enter | Write the migration file. |
    """

    DEFAULT_CSS = """
    NewMigrationScreen {
        align: center middle;
        & > Vertical {
            width: 80%; max-width: 90; height: auto;
            border: round $primary; background: $surface; padding: 0 1;
        }
        & #new-migration-title { text-style: bold; padding-bottom: 1; }
        & Label { padding-top: 1; }
        & #new-migration-error { color: $error; height: auto; }
        & Horizontal { height: auto; align-horizontal: right; padding-top: 1; }
        & Button { margin-left: 1; }
    }
    """

    def __init__(self, like: Table, catalog: Catalog, cwd: Path | None = None) -> None:
        super().__init__()
        self.like = like
        """The table the new one is modelled on."""
        self.catalog = catalog
        self.cwd = cwd
        """Where the project search starts (the explorer passes the app's project directory);
        None means the current directory when writing."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                f"New migration from {self.like.qualified_name}  (esc cancels)",
                id="new-migration-title",
                markup=False,
            )
            yield Label("New table name")
            yield Input(placeholder=f"e.g. {self.like.name}_archive", id="new-migration-name")
            yield Label("RLS pattern")
            yield Select(
                [(label, key) for key, label in RLS_PATTERNS.items()],
                value=DEFAULT_PATTERN,
                allow_blank=False,
                id="new-migration-pattern",
            )
            yield Static("", id="new-migration-error", markup=False)
            with Horizontal():
                yield Button("Cancel", id="new-migration-cancel")
                yield Button("Write", variant="primary", id="new-migration-write")

    def on_mount(self) -> None:
        self.query_one("#new-migration-name", Input).focus()

    def write(self) -> None:
        """Render the migration from the fields and write it in a worker (errors stay shown)."""
        name = self.query_one("#new-migration-name", Input).value.strip()
        pattern = self.query_one("#new-migration-pattern", Select).value
        if not isinstance(pattern, str):
            pattern = DEFAULT_PATTERN
        try:
            file_name, sql = new_migration(name, self.like, self.catalog, pattern)
        except MigrationError as exc:
            self._error(str(exc))
            return
        self._error("")
        self._write_file(file_name, sql)

    def action_write(self) -> None:
        """Write the file (ctrl+s)."""
        self.write()

    def action_cancel(self) -> None:
        """Close without writing (escape)."""
        self.dismiss(None)

    @on(Input.Submitted, "#new-migration-name")
    @on(Button.Pressed, "#new-migration-write")
    def _write_requested(self) -> None:
        self.write()

    @on(Button.Pressed, "#new-migration-cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="new-migration",
        name="write-migration",
        description="Write the new migration file, never overwriting",
    )
    def _write_file(self, file_name: str, sql: str) -> None:
        directory = migration_directory(self.cwd or Path.cwd())
        try:
            path = write_new_migration(directory, file_name, sql)
        except FileExistsError:
            self.app.call_from_thread(
                self._error, f"{directory / file_name} already exists; not overwriting it"
            )
            return
        except OSError as exc:
            self.app.call_from_thread(self._error, f"could not write the file: {exc}")
            return
        self.app.call_from_thread(self._written, path)

    def _written(self, path: Path) -> None:
        self.app.notify(f"wrote {path}", title="New migration", timeout=6)
        self.dismiss(path)

    def _error(self, text: str) -> None:
        self.query_one("#new-migration-error", Static).update(text)
