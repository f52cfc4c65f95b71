"""Copying from the TUI: `y` (DDL, or Mermaid on the Relations tab), the palette's table
actions, the fallback modal, and "New migration from <table>…".

The local clipboard (pyperclip) is replaced by a function returning True or False, and the
fallback directory points into tmp_path; the database is the real demo one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, Select, Static, TextArea

import ehgtui.ddl.migration
from ehgtui import clipboard as core_clipboard
from ehgtui.catalog.model import Table
from ehgtui.ddl import new_migration
from ehgtui.tui.app import EhgApp
from ehgtui.tui.clipboard import send_osc52
from ehgtui.tui.commands import TableActionsProvider
from ehgtui.tui.screens.copy_fallback import CopyFallbackScreen
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.screens.new_migration import NewMigrationScreen, migration_directory
from ehgtui.tui.widgets.detail.ddl import render_table_ddl
from ehgtui.tui.widgets.detail.relations import mermaid_text
from tests.tui.conftest import loaded, settle

SD_TABLE = "public.strategic_directives_v2"
SIZE = (120, 36)


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The fallback directory, inside tmp_path; not over SSH unless a test says so."""
    directory = tmp_path / "copies"
    monkeypatch.setattr(core_clipboard, "fallback_dir", lambda: directory)
    for name in ("SSH_TTY", "SSH_CONNECTION", "SSH_CLIENT", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    return directory


def local_clipboard(monkeypatch: pytest.MonkeyPatch, works: bool) -> list[str]:
    """Replace pyperclip's copy; return the list of texts it was asked to copy."""
    asked: list[str] = []

    def copy_local(text: str) -> bool:
        asked.append(text)
        return works

    monkeypatch.setattr(core_clipboard, "copy_local", copy_local)
    return asked


def _sd(screen: ExplorerScreen) -> Table:
    assert screen.catalog is not None
    table = screen.catalog.table(SD_TABLE)
    assert table is not None
    return table


def _notes(app: EhgApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_y_copies_the_ddl(
    make_app: Callable[..., EhgApp], copies: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = local_clipboard(monkeypatch, works=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        assert screen.selected == SD_TABLE
        ddl = render_table_ddl(_sd(screen), screen.catalog)  # type: ignore[arg-type]
        assert ddl.startswith("CREATE TABLE public.strategic_directives_v2")
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == ddl
        assert asked == [ddl]
        saved = copies / "strategic_directives_v2.sql"
        assert saved.read_text() == ddl
        assert any("local clipboard" in n and str(saved) in n for n in _notes(app))
        assert not isinstance(app.screen, CopyFallbackScreen)


async def test_no_clipboard_shows_the_file_and_text(
    make_app: Callable[..., EhgApp], copies: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_clipboard(monkeypatch, works=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        ddl = render_table_ddl(_sd(screen), screen.catalog)  # type: ignore[arg-type]
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, CopyFallbackScreen))
        modal = app.screen
        assert isinstance(modal, CopyFallbackScreen)
        saved = copies / "strategic_directives_v2.sql"
        assert str(saved) in str(modal.query_one("#copy-fallback-path", Static).render())
        area = modal.query_one(TextArea)
        assert area.read_only and area.text == ddl
        assert saved.read_text() == ddl
        assert any("no clipboard was reachable" in n for n in _notes(app))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)


async def test_over_ssh_skips_the_local_clipboard(
    make_app: Callable[..., EhgApp], copies: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = local_clipboard(monkeypatch, works=True)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, CopyFallbackScreen))
        assert asked == []  # pyperclip would write the remote host's clipboard
        assert (copies / "strategic_directives_v2.sql").exists()


async def test_y_on_relations_copies_mermaid(
    make_app: Callable[..., EhgApp], copies: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_clipboard(monkeypatch, works=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await pilot.press("7", "y")
        await settle(pilot)
        expected = mermaid_text(screen.catalog, SD_TABLE, 1, screen.domain_map)  # type: ignore[arg-type]
        assert app.clipboard == expected
        assert expected.startswith("erDiagram\n") and "strategic_directives_v2 {" in expected
        assert (copies / "strategic_directives_v2.mmd").read_text() == expected


class FakeDriver:
    """Records what the app writes to the terminal (the OSC 52 sequences)."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def write(self, data: str) -> None:
        self.written.append(data)


class TerminalApp(EhgApp):
    """The real app with a recording driver, as if it ran in a terminal (not headless)."""

    @property
    def is_headless(self) -> bool:
        return False


def test_osc52_is_wrapped_for_tmux(monkeypatch: pytest.MonkeyPatch) -> None:
    from ehgtui.config import Config
    from ehgtui.db.settings import ConnectionTarget

    app = TerminalApp(lambda: ConnectionTarget("postgresql://x/y", "test"), ("public",), Config())
    driver = FakeDriver()
    app._driver = driver  # type: ignore[assignment]
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    assert send_osc52(app, "select 1;")
    assert app.clipboard == "select 1;"
    assert driver.written == [
        core_clipboard.osc52_sequence("select 1;", tmux=False),
        core_clipboard.osc52_sequence("select 1;", tmux=True),
    ]
    monkeypatch.delenv("TMUX")
    driver.written.clear()
    assert send_osc52(app, "x")
    assert driver.written == [core_clipboard.osc52_sequence("x", tmux=False)]
    app._driver = None
    assert not send_osc52(app, "x")  # no terminal: the caller falls back


async def test_palette_offers_the_table_actions(
    make_app: Callable[..., EhgApp], copies: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local_clipboard(monkeypatch, works=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        provider = TableActionsProvider(screen)
        discovered = [hit.text async for hit in provider.discover()]
        assert discovered == [
            "Copy: DDL of strategic_directives_v2",
            "Copy: Mermaid of strategic_directives_v2",
            "New migration from strategic_directives_v2…",
        ]
        found = [hit.text async for hit in provider.search("copy mermaid")]
        assert found[0] == "Copy: Mermaid of strategic_directives_v2"

        await pilot.press("ctrl+p", *"Copy: Mermaid of strat")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("enter")
        await settle(pilot)
        assert app.clipboard is not None and app.clipboard.startswith("erDiagram")


FROZEN_NOW = datetime(2026, 12, 7, 12, 0, 0, tzinfo=UTC)
"""The moment the new-migration tests write at: a file name has the second in it, so the
name the test computes and the one the screen writes must come from the same clock."""


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    class _Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return FROZEN_NOW

    monkeypatch.setattr(ehgtui.ddl.migration, "datetime", _Frozen)


async def _new_migration(
    app: EhgApp, pilot: Any, name: str, pattern: str | None = None
) -> NewMigrationScreen:
    screen = await loaded(pilot)
    await screen.run_action("new_migration")
    await settle(pilot, lambda: isinstance(app.screen, NewMigrationScreen))
    modal = app.screen
    assert isinstance(modal, NewMigrationScreen)
    if pattern is not None:
        modal.query_one(Select).value = pattern
    modal.query_one("#new-migration-name", Input).focus()
    await pilot.press(*name, "enter")
    await settle(pilot)
    return modal


async def test_new_migration_goes_to_database_migrations(
    make_app: Callable[..., EhgApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    frozen_clock: None,
) -> None:
    project = tmp_path / "project"
    (project / "database" / "migrations").mkdir(parents=True)
    (project / "package.json").write_text("{}")
    (project / "src").mkdir()
    monkeypatch.chdir(project / "src")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await _new_migration(app, pilot, "sd_archive", "user_owned")
        assert isinstance(app.screen, ExplorerScreen)
        screen = await loaded(pilot)
        file_name, sql = new_migration("sd_archive", _sd(screen), screen.catalog, "user_owned")  # type: ignore[arg-type]
        written = project / "database" / "migrations" / file_name
        assert written.read_text() == sql
        assert "ENABLE ROW LEVEL SECURITY" in sql and "auth.uid()" in sql
        assert any(str(written) in n for n in _notes(app))


async def test_new_migration_honours_the_project_dir(
    make_app: Callable[..., EhgApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    frozen_clock: None,
) -> None:
    """`--project-dir` wins over the current directory, as it does for tasks."""
    project = tmp_path / "project"
    (project / "database" / "migrations").mkdir(parents=True)
    (project / "package.json").write_text("{}")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    app = make_app()
    app.project_dir = project  # what build_app(project_dir=...) sets from --project-dir
    async with app.run_test(size=SIZE) as pilot:
        await _new_migration(app, pilot, "sd_elsewhere")
        assert isinstance(app.screen, ExplorerScreen)
        screen = await loaded(pilot)
        file_name, sql = new_migration("sd_elsewhere", _sd(screen), screen.catalog)  # type: ignore[arg-type]
    assert (project / "database" / "migrations" / file_name).read_text() == sql
    assert list(elsewhere.iterdir()) == []


async def test_new_migration_never_overwrites(
    make_app: Callable[..., EhgApp],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    frozen_clock: None,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert migration_directory(tmp_path) == tmp_path  # no project: the current directory
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        file_name, _ = new_migration("sd_copy", _sd(screen), screen.catalog)  # type: ignore[arg-type]
        (tmp_path / file_name).write_text("-- mine\n")
        modal = await _new_migration(app, pilot, "sd_copy")
        assert app.screen is modal  # stays open to pick another name
        error = str(modal.query_one("#new-migration-error", Static).render())
        assert "already exists" in error and file_name in error
        assert (tmp_path / file_name).read_text() == "-- mine\n"

        name_input = modal.query_one("#new-migration-name", Input)
        name_input.value = ""
        await pilot.press(*"strategic_directives_v2", "enter")  # taken by a table
        await settle(pilot)
        assert "already exists" in str(modal.query_one("#new-migration-error", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ExplorerScreen)
        assert sorted(p.name for p in tmp_path.iterdir()) == [file_name]  # noqa: ASYNC240
