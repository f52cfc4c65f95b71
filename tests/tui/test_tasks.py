"""External tasks in the TUI: palette entries, streamed output, cancel, confirm, history.

Real subprocesses (the test interpreter), the real demo database. Waiting is on workers and
on the task screen's own messages (a message hook sets an event), never on time.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import DataTable, Log, Static

from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tasks.registry import TaskSpec
from ehgtui.tasks.runner import group_alive, not_found_message
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.screens.confirm import ConfirmScreen
from ehgtui.tui.screens.task_history import TaskHistoryScreen
from ehgtui.tui.screens.task_run import TaskRunScreen
from ehgtui.tui.tasks_commands import (
    HISTORY_TITLE,
    TasksProvider,
    history_of,
    start_task,
    tasks_of,
)
from tests.tui.conftest import loaded, settle

EVENT_TIMEOUT_SECONDS = 60.0
"""Safety net for a message that never comes: a hang fails instead of blocking the run."""

ECHO_TASK = {"name": "echo", "argv": [sys.executable, "-c", "print('hello'); print('world')"]}
SLEEP_TASK = {
    "name": "sleeper",
    "argv": [sys.executable, "-c", "import time; print('started', flush=True); time.sleep(120)"],
}


@pytest.fixture
def task_app(demo_dsn: str, tmp_path: Path) -> Callable[..., EhgApp]:
    """An app whose config has custom tasks, run in tmp_path as the project directory."""

    def make(*tasks: dict[str, Any]) -> EhgApp:
        config = Config(raw={"tasks": list(tasks or (ECHO_TASK, SLEEP_TASK))})
        target = ConnectionTarget(demo_dsn, "test")
        return build_app(lambda: target, ("public",), config, project_dir=tmp_path)

    return make


class Seen:
    """Records the messages posted, and wakes a waiter when one of a given kind arrives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._event = asyncio.Event()

    def __call__(self, message: Message) -> None:
        self.messages.append(message)
        self._event.set()

    async def wait_for(self, condition: Callable[[], bool]) -> None:
        """Wait until condition holds, re-checking after each posted message."""
        async with asyncio.timeout(EVENT_TIMEOUT_SECONDS):
            while not condition():
                self._event.clear()
                await self._event.wait()


async def _run_hit(pilot: Pilot[None], provider: TasksProvider, title: str) -> None:
    hits = [hit async for hit in provider.search(title) if hit.text == title]
    assert hits, f"no palette hit {title!r}"
    hits[0].command()
    await pilot.pause()


def _task_screen(app: EhgApp) -> TaskRunScreen:
    assert isinstance(app.screen, TaskRunScreen), app.screen
    return app.screen


async def test_palette_lists_readme_and_config_tasks(
    task_app: Callable[..., EhgApp], tmp_path: Path
) -> None:
    app = task_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        provider = TasksProvider(screen)
        discovered = [hit.text async for hit in provider.discover()]
        assert discovered == [
            "Task: Regenerate schema docs",
            "Task: Check migration status",
            "Task: Apply pending migrations",
            "Task: Validate schema",
            "Task: Check connection",
            "Task: echo",
            "Task: sleeper",
            HISTORY_TITLE,
        ]
        found = [hit async for hit in provider.search("echo")]
        assert max(found, key=lambda hit: hit.score).text == "Task: echo"
        # every task runs in the project directory given to build_app
        assert {spec.cwd for spec in tasks_of(app)} == {tmp_path}


async def test_malformed_task_config_is_one_palette_entry(demo_dsn: str) -> None:
    config = Config(raw={"tasks": [{"name": "broken", "argv": "echo hi"}]})
    target = ConnectionTarget(demo_dsn, "test")
    app = build_app(lambda: target, ("public",), config)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        hits = [hit async for hit in TasksProvider(screen).discover()]
        assert [hit.text for hit in hits] == ["Task: configuration error"]
        assert "argv must be a list" in str(hits[0].help)


async def test_task_output_streams_with_exit_status(task_app: Callable[..., EhgApp]) -> None:
    app = task_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await _run_hit(pilot, TasksProvider(screen), "Task: echo")
        task_screen = _task_screen(app)
        await settle(pilot, lambda: task_screen.record.result is not None)
        assert list(task_screen.query_one(Log).lines) == ["hello", "world"]
        status = str(task_screen.query_one("#task-status", Static).render())
        assert status.startswith("succeeded: exit status 0 after ")
        assert task_screen.query_one("#task-status").has_class("-succeeded")
        assert "Task #1: echo" in str(task_screen.query_one("#task-title", Static).render())
        assert task_screen.record.result is not None
        assert task_screen.record.result.lines == ("hello", "world")
        assert not task_screen.check_action("cancel_task", ())  # nothing left to cancel


async def test_failing_task_shows_its_exit_status(task_app: Callable[..., EhgApp]) -> None:
    failing = {"name": "fails", "argv": [sys.executable, "-c", "import sys; sys.exit(3)"]}
    app = task_app(failing)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await _run_hit(pilot, TasksProvider(screen), "Task: fails")
        task_screen = _task_screen(app)
        await settle(pilot, lambda: task_screen.record.result is not None)
        status = str(task_screen.query_one("#task-status", Static).render())
        assert status.startswith("failed: exit status 3 after ")
        assert task_screen.query_one("#task-status").has_class("-failed")


async def test_cancel_kills_the_task(task_app: Callable[..., EhgApp]) -> None:
    seen = Seen()
    app = task_app()
    async with app.run_test(size=(120, 36), message_hook=seen) as pilot:
        screen = await loaded(pilot)
        await _run_hit(pilot, TasksProvider(screen), "Task: sleeper")
        task_screen = _task_screen(app)
        log = task_screen.query_one(Log)
        await seen.wait_for(lambda: task_screen.record.pid is not None and log.line_count > 0)
        pid = task_screen.record.pid
        assert pid is not None and group_alive(pid)
        assert list(log.lines) == ["started"]
        assert task_screen.running and task_screen.check_action("cancel_task", ())
        await pilot.press("x")
        await settle(pilot, lambda: task_screen.record.result is not None)
        assert task_screen.record.result is not None and task_screen.record.result.cancelled
        assert not group_alive(pid)
        with pytest.raises(ProcessLookupError):  # reaped too, not just a zombie
            os.kill(pid, 0)
        status = str(task_screen.query_one("#task-status", Static).render())
        assert status.startswith("cancelled after ")


async def test_ctrl_c_cancels_and_escape_asks_first(task_app: Callable[..., EhgApp]) -> None:
    seen = Seen()
    app = task_app()
    async with app.run_test(size=(120, 36), message_hook=seen) as pilot:
        screen = await loaded(pilot)
        await _run_hit(pilot, TasksProvider(screen), "Task: sleeper")
        task_screen = _task_screen(app)
        await seen.wait_for(lambda: task_screen.record.pid is not None)
        pid = task_screen.record.pid
        assert pid is not None
        await pilot.press("escape")  # still running: asks before cancelling
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is task_screen and task_screen.running
        await pilot.press("ctrl+c")
        await settle(pilot, lambda: task_screen.record.result is not None)
        assert task_screen.record.result is not None and task_screen.record.result.cancelled
        assert not group_alive(pid)
        assert app.screen is task_screen  # ctrl+c cancels, it does not quit or close
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_confirm_names_the_target_and_decline_runs_nothing(
    task_app: Callable[..., EhgApp], tmp_path: Path
) -> None:
    app = task_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        assert screen.target is not None
        await _run_hit(pilot, TasksProvider(screen), "Task: Apply pending migrations")
        assert isinstance(app.screen, ConfirmScreen)
        body = app.screen.body
        assert "$ supabase db push" in body
        assert screen.target.masked in body
        assert str(tmp_path) in body
        assert "change the database schema" in body
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
        assert history_of(app).records == []
        assert not any(isinstance(s, TaskRunScreen) for s in app.screen_stack)


async def test_confirmed_schema_task_reloads_the_catalog(
    task_app: Callable[..., EhgApp],
) -> None:
    migrate = {**ECHO_TASK, "name": "migrate", "changes_schema": True}
    app = task_app(migrate)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        before = screen.catalog
        await _run_hit(pilot, TasksProvider(screen), "Task: migrate")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        task_screen = _task_screen(app)
        await settle(
            pilot, lambda: task_screen.record.result is not None and screen.catalog is not before
        )
        assert task_screen.record.state == "exit 0"
        assert screen.catalog is not None and screen.catalog is not before


async def test_missing_executable_is_one_line(
    task_app: Callable[..., EhgApp], tmp_path: Path
) -> None:
    spec = TaskSpec(
        "Check connection",
        ("ehgtui-test-no-such-supabase", "db", "ping"),
        tmp_path,
        builtin_alternative="ehgtui ping",
    )
    app = task_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        task_screen = start_task(app, spec)
        await settle(pilot, lambda: task_screen.record.error is not None)
        expected = not_found_message(spec)
        assert expected == (
            "ehgtui-test-no-such-supabase: command not found (task 'Check connection'); "
            "use the built-in `ehgtui ping` instead"
        )
        assert str(task_screen.query_one("#task-status", Static).render()) == expected
        assert list(task_screen.query_one(Log).lines) == [expected]
        assert task_screen.record.state == "not started"


async def test_history_reopens_an_earlier_run(task_app: Callable[..., EhgApp]) -> None:
    app = task_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        provider = TasksProvider(screen)
        await _run_hit(pilot, provider, "Task: echo")
        first = _task_screen(app)
        await settle(pilot, lambda: first.record.result is not None)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        await _run_hit(pilot, provider, HISTORY_TITLE)
        assert isinstance(app.screen, TaskHistoryScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[:2] == ["1", "echo"] and row[3] == "exit 0"
        await pilot.press("enter")
        await settle(pilot)
        again = _task_screen(app)
        assert again is not first and again.record is first.record
        assert list(again.query_one(Log).lines) == ["hello", "world"]
        assert len(history_of(app).records) == 1  # reading a run does not run it again
