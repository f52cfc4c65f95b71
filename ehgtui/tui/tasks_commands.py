"""Palette providers for the README's tasks and the built-in checks, and what their hits do.

`TasksProvider` offers `Task: <name>` for every README task and `[[tasks]]` entry of the
configuration, plus `Task: history`. `ChecksProvider` offers `Check: RLS coverage`,
`Check: schema conventions`, `Migration status`, `Ping` and `Export schema docs…`, each only
once the explorer has what it needs (a catalog, a pool). The hit callbacks below push the
screens that own the work; the providers themselves never do I/O.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider

from ehgtui.catalog.objects import ObjectRef
from ehgtui.checks.conventions import check_conventions
from ehgtui.checks.findings import Finding
from ehgtui.checks.rls import check_rls
from ehgtui.checks.security import check_security
from ehgtui.migrations.files import ProjectNotFoundError, find_project_dir
from ehgtui.safe_text import visible
from ehgtui.tasks.registry import TaskConfigError, TaskSpec, all_tasks
from ehgtui.tui.messages import OpenObject, OpenTable
from ehgtui.tui.safe import safe_content, safe_help, safe_highlight
from ehgtui.tui.screens.confirm import ConfirmScreen
from ehgtui.tui.screens.docs_export import DocsExportScreen
from ehgtui.tui.screens.findings import CheckFunction, FindingsScreen, badges_for
from ehgtui.tui.screens.results import ResultsScreen, migration_results, ping_results
from ehgtui.tui.screens.task_history import TaskHistory, TaskHistoryScreen, TaskRecord
from ehgtui.tui.screens.task_run import TaskRunScreen, argv_text
from ehgtui.tui.widgets.tree.domain_tree import DomainTree

if TYPE_CHECKING:
    from ehgtui.tui.screens.main import ExplorerScreen

TASK_PREFIX = "Task: "
"""Title prefix of every task hit."""

HISTORY_TITLE = "Task: history"
"""Title of the hit listing the session's task runs."""

CHECKS: dict[str, CheckFunction] = {
    "Check: RLS coverage": check_rls,
    "Check: schema conventions": check_conventions,
    "Check: security (splinter lints)": check_security,
}
"""The built-in checks, by palette title."""

MIGRATIONS_TITLE = "Migration status"
PING_TITLE = "Ping"
DOCS_TITLE = "Export schema docs…"


def default_project_dir(start: Path | None = None) -> Path | None:
    """The nearest ancestor of start (the current directory) holding package.json or supabase/.

    None when there is none: tasks then run in the current directory.
    """
    try:
        return find_project_dir(start or Path.cwd())
    except ProjectNotFoundError:
        return None


# -- what the app offers (read from the app and its explorer screen) ----------------------


def explorer_of(app: App[object]) -> ExplorerScreen | None:
    """The explorer screen, wherever it is in the stack."""
    from ehgtui.tui.screens.main import ExplorerScreen

    return next((s for s in app.screen_stack if isinstance(s, ExplorerScreen)), None)


def project_dir_of(app: App[object]) -> Path | None:
    """The project directory the app was built with (None: none was found)."""
    value = getattr(app, "project_dir", None)
    return value if isinstance(value, Path) else None


def history_of(app: App[object]) -> TaskHistory:
    """The app's session history of task runs (made on first use)."""
    history = getattr(app, "task_history", None)
    if not isinstance(history, TaskHistory):
        history = TaskHistory()
        app.task_history = history  # type: ignore[attr-defined]
    return history


def tasks_of(app: App[object]) -> tuple[TaskSpec, ...]:
    """README tasks plus the config's `[[tasks]]`, each with a working directory.

    A task without a `cwd` runs in the project directory, where npm and supabase look for
    their files. Raises TaskConfigError for a malformed `[[tasks]]` entry.
    """
    config = getattr(app, "config", None)
    raw = getattr(config, "raw", {}) or {}
    source = getattr(config, "source", None)
    project_dir = project_dir_of(app)
    return tuple(
        replace(spec, cwd=project_dir) if spec.cwd is None else spec
        for spec in all_tasks(raw, source, project_dir)
    )


def target_label(app: App[object], spec: TaskSpec) -> str:
    """What a confirmation names: the masked DSN and the directory the task runs in."""
    explorer = explorer_of(app)
    target = explorer.target if explorer is not None else None
    database = f"{target.masked} ({target.source})" if target is not None else "not connected"
    where = str(spec.cwd) if spec.cwd else str(Path.cwd())
    return f"database: {database}\nproject:  {where}"


# -- hit callbacks ------------------------------------------------------------------------


def run_task(app: App[object], spec: TaskSpec) -> None:
    """Run spec on its own screen, asking first when it is flagged `confirm`.

    Args:
        app: The running app.
        spec: The task (with its working directory already set).
    """
    if not (spec.confirm or spec.changes_schema):
        start_task(app, spec)
        return

    def answered(yes: bool | None) -> None:
        if yes:
            start_task(app, spec)
        else:
            app.notify(f"{spec.name}: not run", timeout=3)

    changes = "It may change the database schema. " if spec.changes_schema else ""
    app.push_screen(
        ConfirmScreen(
            f"Run {spec.name}?",
            f"$ {argv_text(spec.argv)}\n{target_label(app, spec)}\n\n{changes}Run it?",
        ),
        answered,
    )


def start_task(app: App[object], spec: TaskSpec) -> TaskRunScreen:
    """Record a new run of spec and show its screen, which starts it.

    Args:
        app: The running app.
        spec: The task.

    Returns:
        The task screen pushed.
    """
    explorer = explorer_of(app)
    password = explorer.target.password if explorer and explorer.target else None
    reload = explorer.reload if explorer is not None else None
    screen = TaskRunScreen(
        history_of(app).add(spec),
        secrets=(password,) if password else (),
        on_schema_change=reload,
    )
    app.push_screen(screen)
    return screen


def show_history(app: App[object]) -> None:
    """List the session's task runs; the one chosen is shown again, output and all."""

    def chosen(record: TaskRecord | None) -> None:
        if record is not None:
            app.push_screen(TaskRunScreen(record))

    app.push_screen(TaskHistoryScreen(history_of(app)), chosen)


def run_check(app: App[object], title: str, check: CheckFunction) -> None:
    """Show check's findings over the explorer's catalog; the table chosen is opened.

    Args:
        app: The running app.
        title: The palette title, also the screen's.
        check: The check function.
    """
    explorer = explorer_of(app)
    if explorer is None or explorer.catalog is None:
        app.notify("no catalog loaded yet", severity="warning")
        return

    def badge(findings: list[Finding]) -> None:
        explorer.query_one(DomainTree).set_badges(badges_for(findings))

    def chosen(finding: Finding | None) -> None:
        if finding is None:
            return
        if finding.object_kind == "table":
            explorer.post_message(OpenTable(finding.table))
        else:  # a function or an extension: the explorer's kind mechanism shows it
            explorer.post_message(OpenObject(ObjectRef(finding.object_kind, finding.table)))

    app.push_screen(FindingsScreen(title, explorer.catalog, check, on_findings=badge), chosen)


def show_ping(app: App[object]) -> None:
    """Ping the server through the explorer's pool."""
    explorer = explorer_of(app)
    if explorer is None or explorer.pool is None or explorer.target is None:
        app.notify("not connected yet", severity="warning")
        return
    app.push_screen(
        ResultsScreen(PING_TITLE, partial(ping_results, explorer.pool, explorer.target.masked))
    )


def show_migrations(app: App[object]) -> None:
    """Compare the migration history with the project's migration files."""
    explorer = explorer_of(app)
    if explorer is None or explorer.pool is None:
        app.notify("not connected yet", severity="warning")
        return
    app.push_screen(
        ResultsScreen(
            MIGRATIONS_TITLE, partial(migration_results, explorer.pool, project_dir_of(app))
        )
    )


def export_docs(app: App[object]) -> None:
    """Ask for a directory and write the schema docs there."""
    explorer = explorer_of(app)
    if explorer is None or explorer.catalog is None or explorer.domain_map is None:
        app.notify("no catalog loaded yet", severity="warning")
        return
    base = project_dir_of(app) or Path.cwd()
    app.push_screen(DocsExportScreen(explorer.catalog, explorer.domain_map, base))


# -- providers ----------------------------------------------------------------------------

Command = tuple[str, Callable[[], None], str]
"""A palette entry: title, what it does, help line."""


class _ListProvider(Provider):
    """Discovery lists every command; search fuzzily matches their titles."""

    def commands(self) -> list[Command]:
        """The entries offered right now."""
        raise NotImplementedError

    async def discover(self) -> Hits:
        for title, callback, help_text in self.commands():
            yield DiscoveryHit(
                safe_content(title), callback, text=visible(title), help=safe_help(help_text)
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    safe_highlight(matcher, title),
                    callback,
                    text=visible(title),
                    help=safe_help(help_text),
                )


class TasksProvider(_ListProvider):
    """`Task: Apply pending migrations`: the README's commands and the config's own tasks."""

    def commands(self) -> list[Command]:
        app = self.app
        try:
            specs = tasks_of(app)
        except TaskConfigError as exc:
            message = str(exc)
            return [
                (
                    f"{TASK_PREFIX}configuration error",
                    partial(app.notify, message, severity="error", timeout=10),
                    message,
                )
            ]
        commands: list[Command] = []
        for spec in specs:
            help_text = argv_text(spec.argv)
            if spec.confirm or spec.changes_schema:
                help_text += "  (asks first)"
            commands.append((f"{TASK_PREFIX}{spec.name}", partial(run_task, app, spec), help_text))
        commands.append(
            (HISTORY_TITLE, partial(show_history, app), "earlier task runs of this session")
        )
        return commands


class ChecksProvider(_ListProvider):
    """Built-ins needing no Node or Supabase CLI: RLS, conventions, migrations, ping, docs."""

    def commands(self) -> list[Command]:
        app = self.app
        explorer = explorer_of(app)
        if explorer is None:
            return []
        commands: list[Command] = []
        if explorer.catalog is not None:
            commands += [
                (title, partial(run_check, app, title, check), "built-in, over the loaded catalog")
                for title, check in CHECKS.items()
            ]
            commands.append(
                (DOCS_TITLE, partial(export_docs, app), "Markdown pages, built-in schema:docs")
            )
        if explorer.pool is not None:
            commands += [
                (
                    MIGRATIONS_TITLE,
                    partial(show_migrations, app),
                    "history vs supabase/migrations files, built-in",
                ),
                (PING_TITLE, partial(show_ping, app), "round trip, server, role; built-in"),
            ]
        return commands
