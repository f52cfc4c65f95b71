"""A small results screen for the built-in ping and migration status.

The screen is given an async `fetch` that calls the core (`tasks.ping.ping`,
`migrations.status`) and returns a `Results`; it runs that in a worker and shows the rows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import asyncpg
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ehgtui.migrations.files import ProjectNotFoundError, find_project_dir, migration_dirs, scan
from ehgtui.migrations.status import MigrationsError, compare, fetch_applied
from ehgtui.tasks.ping import ping, ping_facts
from ehgtui.tui.safe import safe_content, safe_text


@dataclass(frozen=True)
class Results:
    """What a fetch found: one summary line and a grid."""

    summary: str
    columns: tuple[str, ...]
    rows: Sequence[tuple[str, ...]]


Fetch = Callable[[], Awaitable[Results]]
"""Produces the results; may raise, and the screen shows the error's one line."""


async def ping_results(pool: asyncpg.Pool, masked_target: str) -> Results:
    """The built-in `supabase db ping`: round trip, server, role and read-only state.

    Args:
        pool: The explorer's pool.
        masked_target: The DSN with its password masked, shown as the first fact.

    Returns:
        The facts as label/value rows.
    """
    result = await ping(pool)
    rows = ping_facts(result, masked_target)
    return Results(f"reachable: {result.round_trip_ms:.2f} ms", ("Fact", "Value"), rows)


async def migration_results(pool: asyncpg.Pool, project_dir: Path | None) -> Results:
    """The built-in `supabase migration list`: history against the project's files.

    Args:
        pool: The explorer's pool.
        project_dir: The project holding supabase/migrations (None: look upwards from cwd).

    Returns:
        One row per migration: state, version, name, file.
    """
    project = project_dir or find_project_dir(Path.cwd())
    directories = migration_dirs(project)
    if not directories:
        raise ProjectNotFoundError(
            f"{project} has neither supabase/migrations nor database/migrations "
            "(start ehgtui with --project-dir)"
        )
    status = compare(await fetch_applied(pool), scan(directories))
    counts = {s: len(status.with_state(s)) for s in ("applied", "pending", "missing")}
    summary = (
        f"{counts['applied']} applied, {counts['pending']} pending, "
        f"{counts['missing']} applied but missing locally ({project})"
    )
    rows = [(e.state, e.version, e.name or "", e.path or "") for e in status.entries]
    return Results(summary, ("State", "Version", "Name", "File"), rows)


EXPECTED_ERRORS: tuple[type[BaseException], ...] = (
    MigrationsError,
    ProjectNotFoundError,
    asyncpg.PostgresError,
    OSError,
)
"""Failures shown as their message alone."""


class ResultsScreen(ModalScreen[None]):
    """A title, a summary line and a grid, filled by a worker."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss(None)", "Close", id="results.close"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape, q | Close the results. |
    """

    DEFAULT_CSS = """
    ResultsScreen {
        align: center middle;
        & > Vertical {
            width: 90%; max-width: 120; height: auto; max-height: 90%;
            border: round $primary; background: $surface; padding: 0 1;
        }
        & #results-title { text-style: bold; }
        & #results-summary { color: $text-muted; padding-bottom: 1; }
        & #results-summary.-failed { color: $error; text-style: bold; }
        & DataTable { height: auto; max-height: 30; }
    }
    """

    @dataclass
    class Fetched(Message):
        """The fetch returned."""

        results: Results

    @dataclass
    class FetchFailed(Message):
        """The fetch raised: one line to show."""

        reason: str

    def __init__(self, title: str, fetch: Fetch) -> None:
        super().__init__()
        self.results_title = title
        self._fetch = fetch
        self.results: Results | None = None
        """What is shown, once fetched."""
        self.failure: str | None = None
        """The one-line error, when the fetch failed."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"{self.results_title}  (esc closes)", id="results-title", markup=False)
            yield Static("working…", id="results-summary", markup=False)
            yield DataTable(id="results-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self._run_fetch()

    @work(
        exclusive=True,
        exit_on_error=False,
        group="results",
        name="fetch-results",
        description="Ping the server or read the migration history",
    )
    async def _run_fetch(self) -> None:
        try:
            results = await self._fetch()
        except EXPECTED_ERRORS as exc:
            self.post_message(
                self.FetchFailed(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            )
            return
        except Exception as exc:  # a dropped connection, or a bug: one line, no traceback
            self.post_message(self.FetchFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.Fetched(results))

    @on(Fetched)
    def _fetched(self, message: Fetched) -> None:
        self.results = message.results
        self.query_one("#results-summary", Static).update(safe_content(message.results.summary))
        table = self.query_one(DataTable)
        # Text, not str: DataTable parses a str cell as markup (a migration named `[/]`)
        table.add_columns(*(safe_text(str(c)) for c in message.results.columns))
        table.add_rows([safe_text(str(v)) for v in row] for row in message.results.rows)

    @on(FetchFailed)
    def _failed(self, message: FetchFailed) -> None:
        self.failure = message.reason
        summary = self.query_one("#results-summary", Static)
        summary.update(safe_content(message.reason))
        summary.add_class("-failed")
