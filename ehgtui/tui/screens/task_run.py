"""The task screen: one external command's output streaming live, its elapsed time and status.

The screen owns its run: `on_mount` creates the `TaskRun`, a worker starts and awaits it and
reports with messages, and the handlers update the record (kept in the session's history) and
the widgets. Output lines are queued by the runner's callback and drained by one coalesced
message, so a chatty task costs one message per burst rather than one per line.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Log, Static

from ehgtui.safe_text import visible
from ehgtui.tasks.output_buffer import MAX_LINES
from ehgtui.tasks.runner import TaskError, TaskResult, TaskRun
from ehgtui.tui.safe import safe_content
from ehgtui.tui.screens.confirm import ConfirmScreen
from ehgtui.tui.screens.task_history import TaskRecord

ELAPSED_REFRESH_SECONDS = 0.25
"""How often the elapsed time is redrawn while the task runs."""


def argv_text(argv: tuple[str, ...]) -> str:
    """argv as one shell-quoted line; newlines inside an argument are shown as `\\n`."""
    return shlex.join(argv).replace("\n", "\\n")


def command_line(record: TaskRecord) -> str:
    """The task's argv as one line, and where it runs (for the screen's header)."""
    where = str(record.spec.cwd) if record.spec.cwd else "the current directory"
    return f"$ {argv_text(record.spec.argv)}    (in {where})"


def shown_lines(lines: Iterable[str]) -> list[str]:
    """Task output as the log shows it: control characters as tokens (`\\x1b[32m`).

    Textual's Log replaces only U+0000-U+0014 (with U+FFFD, which hides which it was): an ESC
    from a task's output would reach the terminal. Tabs are kept; the Log expands them.
    """
    return [visible(line, multiline=True) for line in lines]


class TaskRunScreen(Screen[None]):
    """Run one task (or show an earlier run) with its output, elapsed time and exit status."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "cancel_task", "Cancel task", id="task_run.cancel"),
        Binding(
            "ctrl+c",
            "cancel_task",
            "Cancel task",
            show=False,
            tooltip="Cancel the task (kills its process group)",
            id="task_run.cancel_ctrl_c",
        ),
        Binding("escape,q", "close", "Close", id="task_run.close"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | x, ctrl+c | Cancel the running task: SIGTERM its process group, SIGKILL after a grace. |
    | escape, q | Close the screen (asks first while the task still runs). |
    """

    DEFAULT_CSS = """
    TaskRunScreen {
        layout: vertical;
        & #task-title { background: $boost; text-style: bold; padding: 0 1; }
        & #task-command { background: $boost; color: $text-muted; padding: 0 1; }
        & #task-output { height: 1fr; }
        & #task-status { height: 1; padding: 0 1; background: $panel; }
        & #task-status.-failed { color: $error; text-style: bold; }
        & #task-status.-succeeded { color: $success; }
    }
    """

    @dataclass
    class OutputArrived(Message):
        """New lines were queued by the runner: the handler drains them into the log."""

    @dataclass
    class Started(Message):
        """The process is running (its pid leads its process group)."""

        pid: int

    @dataclass
    class FailedToStart(Message):
        """The program is missing or the directory does not exist: one line to show."""

        reason: str

    @dataclass
    class Finished(Message):
        """The process ended (by itself or cancelled)."""

        result: TaskResult

    def __init__(
        self,
        record: TaskRecord,
        secrets: tuple[str, ...] = (),
        on_schema_change: Callable[[], None] | None = None,
    ) -> None:
        """Show record; run it first when it has neither started nor failed.

        Args:
            record: The run (a new one to start, or an earlier one to read).
            secrets: Strings masked in the output (the DSN's password).
            on_schema_change: Called after a `changes_schema` task ends (reloads the catalog).
        """
        super().__init__()
        self.record = record
        self._secrets = secrets
        self._on_schema_change = on_schema_change
        self._run: TaskRun | None = None
        self._pending: list[str] = []
        self._drain_posted = False
        self._ticker: Timer | None = None
        self._close_when_done = False

    @property
    def running(self) -> bool:
        """True while this screen's process has not ended."""
        return self._run is not None and self.record.result is None and self.record.error is None

    def compose(self) -> ComposeResult:
        yield Static(
            safe_content(f"Task #{self.record.number}: {self.record.spec.name}"), id="task-title"
        )
        yield Static(safe_content(command_line(self.record)), id="task-command")
        yield Log(id="task-output", max_lines=MAX_LINES, auto_scroll=True)
        yield Static("", id="task-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        log = self.query_one(Log)
        log.write_lines(shown_lines(self.record.buffer.lines))
        log.focus()
        fresh = self.record.result is None and self.record.error is None and not self.record.pid
        if fresh:
            self._run = TaskRun(self.record.spec, on_line=self._queue_line, secrets=self._secrets)
            self.record.buffer = self._run.buffer
            self._ticker = self.set_interval(ELAPSED_REFRESH_SECONDS, self._show_status)
            self._start(self._run)
        self._show_status()

    # -- runner callback (runs in the worker's task: queue only, never touch widgets) --------

    def _queue_line(self, line: str) -> None:
        self._pending.append(line)
        if not self._drain_posted:
            self._drain_posted = True
            self.post_message(self.OutputArrived())

    # -- workers -----------------------------------------------------------------------------

    @work(
        exclusive=True,
        exit_on_error=False,
        group="task",
        name="run-task",
        description="Run an external task and wait for it to end",
    )
    async def _start(self, run: TaskRun) -> None:
        try:
            await run.start()
        except TaskError as exc:  # TaskNotFoundError names the built-in alternative
            self.post_message(self.FailedToStart(str(exc)))
            return
        assert run.pid is not None
        self.post_message(self.Started(run.pid))
        self.post_message(self.Finished(await run.wait()))

    @work(
        exit_on_error=False,
        group="task-cancel",
        name="cancel-task",
        description="Signal the task's process group and wait until it is gone",
    )
    async def _cancel(self, run: TaskRun) -> None:
        await run.cancel()

    # -- handlers ----------------------------------------------------------------------------

    @on(OutputArrived)
    def _drain(self) -> None:
        self._drain_posted = False
        lines, self._pending = self._pending, []
        if lines:
            self.query_one(Log).write_lines(shown_lines(lines))

    @on(Started)
    def _started(self, message: Started) -> None:
        self.record.pid = message.pid

    @on(FailedToStart)
    def _failed_to_start(self, message: FailedToStart) -> None:
        self.record.error = message.reason
        self._stop_ticker()
        self.query_one(Log).write_lines(shown_lines([message.reason]))
        self._show_status()
        self.notify(message.reason, title="Task not started", severity="error", timeout=8)

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self._drain()
        self.record.result = message.result
        self._stop_ticker()
        self._show_status()
        self.notify(
            f"{self.record.spec.name}: {self.record.state}",
            severity="information" if message.result.succeeded else "warning",
            timeout=4,
        )
        if self.record.spec.changes_schema and self._on_schema_change is not None:
            self._on_schema_change()
        if self._close_when_done:
            self.dismiss()

    def _stop_ticker(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None

    def _show_status(self) -> None:
        status = self.query_one("#task-status", Static)
        status.update(safe_content(self.record.status_line))
        result = self.record.result
        self.refresh_bindings()
        status.set_class(
            self.record.error is not None or bool(result and not result.succeeded), "-failed"
        )
        status.set_class(bool(result and result.succeeded), "-succeeded")

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer cancel only while the task runs."""
        if action == "cancel_task":
            return self.running
        return True

    def cancel_task(self) -> None:
        """Cancel the running task (its whole process group); nothing when it has ended."""
        if self._run is not None and self.running:
            self.query_one("#task-status", Static).update("cancelling…")
            self._cancel(self._run)

    def close(self) -> None:
        """Close the screen; while the task runs, ask whether to cancel it first.

        The run is owned by this screen, so closing it must end the process rather than
        leave an orphan nobody can cancel.
        """
        if not self.running:
            self.dismiss()
            return

        def answered(yes: bool | None) -> None:
            if yes and self.running:
                # close once the group is gone: dismissing now would cancel the cancel
                self._close_when_done = True
                self.cancel_task()
            elif yes:
                self.dismiss()

        self.app.push_screen(
            ConfirmScreen(
                f"{self.record.spec.name} is still running",
                "Cancel it (its whole process group is signalled) and close?",
                yes_label="Cancel task",
            ),
            answered,
        )

    def action_cancel_task(self) -> None:
        """Cancel from a key."""
        self.cancel_task()

    def action_close(self) -> None:
        """Close from a key."""
        self.close()
