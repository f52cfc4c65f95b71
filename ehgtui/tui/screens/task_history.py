"""The session's task runs: a record per run (kept by the app) and a screen listing them.

A record outlives the screen that ran it, so an earlier run's output stays readable for the
whole session ("Task: history" in the palette).
"""

from __future__ import annotations

import shlex
import time
from dataclasses import dataclass, field
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ehgtui.tasks.output_buffer import OutputBuffer
from ehgtui.tasks.registry import TaskSpec
from ehgtui.tasks.runner import TaskResult
from ehgtui.tui.safe import safe_text

RUNNING = "running"
"""State of a record whose process has not ended yet."""


@dataclass
class TaskRecord:
    """One run of one task in this session: what ran, its output, how it ended.

    Mutated only by the task screen's handlers (the run's owner), read by everyone else.
    """

    number: int
    """1 for the session's first run, then counting up."""
    spec: TaskSpec
    started_at: float = field(default_factory=time.time)
    """Wall-clock start, for the history list."""
    started_monotonic: float = field(default_factory=time.monotonic)
    """For the elapsed time while it runs."""
    buffer: OutputBuffer = field(default_factory=OutputBuffer)
    """The output kept so far (the runner's bounded buffer)."""
    pid: int | None = None
    result: TaskResult | None = None
    error: str | None = None
    """One line when the task could not start (e.g. its program is missing)."""

    @property
    def state(self) -> str:
        """`running`, `exit 0`, `exit 3`, `cancelled` or `not started`."""
        if self.error is not None:
            return "not started"
        if self.result is None:
            return RUNNING
        if self.result.cancelled:
            return "cancelled"
        return f"exit {self.result.exit_status}"

    @property
    def elapsed_seconds(self) -> float:
        """Run time so far, or the final run time."""
        if self.result is not None:
            return self.result.elapsed_seconds
        if self.error is not None:
            return 0.0
        return time.monotonic() - self.started_monotonic

    @property
    def status_line(self) -> str:
        """One line for the task screen's status bar."""
        if self.error is not None:
            return self.error
        elapsed = f"{self.elapsed_seconds:.1f}s"
        if self.result is None:
            return f"running… {elapsed}  (x or ctrl+c cancels)"
        dropped = (
            f"; {self.result.dropped_lines} older lines not kept"
            if self.result.dropped_lines
            else ""
        )
        if self.result.cancelled:
            return f"cancelled after {elapsed}{dropped}"
        verdict = "succeeded" if self.result.succeeded else "failed"
        return f"{verdict}: exit status {self.result.exit_status} after {elapsed}{dropped}"


class TaskHistory:
    """Every task run of the session, oldest first."""

    def __init__(self) -> None:
        self.records: list[TaskRecord] = []

    def add(self, spec: TaskSpec) -> TaskRecord:
        """Record a new run of spec (about to start).

        Args:
            spec: The task.

        Returns:
            Its record, numbered after the previous ones.
        """
        record = TaskRecord(len(self.records) + 1, spec)
        self.records.append(record)
        return record


class TaskHistoryScreen(ModalScreen[TaskRecord | None]):
    """The session's runs, newest first; enter reopens one to read its output."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss(None)", "Close history", id="task_history.close"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Open the run under the cursor. |
    | escape, q | Close the list. |
    """

    DEFAULT_CSS = """
    TaskHistoryScreen {
        align: center middle;
        & > Vertical {
            width: 90%; max-width: 110; height: auto; max-height: 80%;
            border: round $primary; background: $surface; padding: 0 1;
        }
        & #task-history-title { text-style: bold; }
        & DataTable { height: auto; max-height: 30; }
    }
    """

    def __init__(self, history: TaskHistory) -> None:
        super().__init__()
        self._history = history

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "Task runs this session  (enter opens, esc closes)", id="task-history-title"
            )
            yield DataTable(id="task-history-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("#", "Task", "Started", "State", "Elapsed", "Command")
        for record in reversed(self._history.records):
            table.add_row(
                str(record.number),
                safe_text(record.spec.name),  # Text: DataTable parses a str as markup
                time.strftime("%H:%M:%S", time.localtime(record.started_at)),
                record.state,
                f"{record.elapsed_seconds:.1f}s",
                safe_text(shlex.join(record.spec.argv)),
                key=str(record.number),
            )
        table.focus()

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        number = int(str(event.row_key.value))
        self.dismiss(next(r for r in self._history.records if r.number == number))
