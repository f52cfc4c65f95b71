"""Run a task as a subprocess: no shell, streamed lines, bounded output, cancel, exit status.

The process gets its own session (`start_new_session=True`), so it leads a process group;
cancel signals that whole group (SIGTERM, then SIGKILL after a grace period), which also
ends the children `npm run` or `supabase` start. stderr is merged into stdout so lines keep
their order. Every line is scrubbed of the given secrets before anyone sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ehgtui.db.settings import scrub
from ehgtui.tasks.output_buffer import MAX_BYTES, MAX_LINES, OutputBuffer
from ehgtui.tasks.registry import TaskSpec

KILL_GRACE_SECONDS = 3.0
"""How long a cancelled task may take to exit on SIGTERM before its group gets SIGKILL."""

KILL_WAIT_SECONDS = 5.0
"""How long to wait for the group to disappear after SIGKILL (the kernel is quick)."""

GROUP_POLL_SECONDS = 0.05
"""How often a cancel looks whether the process group is gone."""

READ_CHUNK = 64 * 1024
MAX_LINE_BYTES = 64 * 1024
"""A longer line without a newline is passed on in pieces of about this size."""

MAX_SECRET_BYTES = 4096
"""A line is cut only once this much more has arrived, so a secret at the cut is seen whole."""

URL_LOOKBACK_BYTES = 1024
"""A URL starting this close before a cut is moved whole into the next piece."""

LineCallback = Callable[[str], None]


class TaskError(RuntimeError):
    """A task could not be started; the message is one line."""


class TaskNotFoundError(TaskError):
    """The task's program is not installed; the message names the built-in alternative."""


@dataclass(frozen=True, slots=True)
class TaskResult:
    """How a task run ended."""

    name: str
    exit_status: int
    """The process's exit code; negative (-signal) when a signal ended it."""
    elapsed_seconds: float
    cancelled: bool
    lines: tuple[str, ...]
    """The last lines of output (stdout and stderr merged), secrets masked."""
    dropped_lines: int
    """Older lines not kept, to stay within the buffer's budget."""

    @property
    def succeeded(self) -> bool:
        """True when the task ran to completion with exit status 0."""
        return self.exit_status == 0 and not self.cancelled


def not_found_message(spec: TaskSpec) -> str:
    """One line: which program is missing and what to use instead."""
    message = f"{spec.argv[0]}: command not found (task {spec.name!r})"
    if spec.builtin_alternative:
        message += f"; use the built-in `{spec.builtin_alternative}` instead"
    return message


class TaskRun:
    """One run of a task: start it, stream its lines, wait for it or cancel it."""

    def __init__(
        self,
        spec: TaskSpec,
        on_line: LineCallback | None = None,
        secrets: Iterable[str | None] = (),
        env: Mapping[str, str] | None = None,
        max_lines: int = MAX_LINES,
        max_bytes: int = MAX_BYTES,
        kill_grace_seconds: float = KILL_GRACE_SECONDS,
    ) -> None:
        self.spec = spec
        self.buffer = OutputBuffer(max_lines, max_bytes)
        self._on_line = on_line
        self._secrets = tuple(s for s in secrets if s)
        self._needles = self._secrets + tuple(quote(s, safe="") for s in self._secrets)
        self._needle_bytes = tuple(
            {n.encode() for n in self._needles if len(n) <= MAX_SECRET_BYTES}
        )
        self._env = dict(env) if env is not None else None
        self._grace = kill_grace_seconds
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._started_at = 0.0
        self._cancelled = False

    @property
    def pid(self) -> int | None:
        """The process id (also its process group id), once started."""
        return self._process.pid if self._process else None

    async def start(self) -> None:
        """Start the process; raise TaskNotFoundError or TaskError when it cannot start."""
        cwd = self.spec.cwd
        if cwd is not None and not cwd.is_dir():
            raise TaskError(f"task {self.spec.name!r}: working directory {cwd} does not exist")
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self.spec.argv,
                cwd=cwd,
                env=self._env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        except FileNotFoundError:
            raise TaskNotFoundError(not_found_message(self.spec)) from None
        except PermissionError:
            raise TaskError(f"{self.spec.argv[0]}: permission denied (not executable)") from None
        self._started_at = time.monotonic()
        self._reader = asyncio.create_task(self._read(), name=f"task-output:{self.spec.name}")

    def _mask(self, line: str) -> str:
        """scrub() only where something could need it: its DSN patterns cost O(n²) on long lines."""
        lowered = line.lower()
        if "://" in line or "password" in lowered or any(n in line for n in self._needles):
            return scrub(line, *self._secrets)
        return line

    def _emit(self, raw: bytes) -> None:
        line = self._mask(raw.decode("utf-8", "replace").rstrip("\r"))
        self.buffer.append(line)
        if self._on_line is not None:
            self._on_line(line)

    def _emit_pieces(self, raw: bytes) -> None:
        while len(raw) > MAX_LINE_BYTES:
            cut = self._cut(raw)
            self._emit(raw[:cut])
            raw = raw[cut:]
        self._emit(raw)

    def _cut(self, data: bytes) -> int:
        """Where the next piece of a long line ends: at MAX_LINE_BYTES, or before it so that
        no secret, and no URL's user info, is split across two pieces (each piece is masked
        alone), and no UTF-8 character either."""
        cut = MAX_LINE_BYTES
        for needle in self._needle_bytes:
            window = data[max(cut - len(needle) + 1, 0) : cut + len(needle) - 1]
            found = window.find(needle)
            if found != -1:
                cut = min(cut, max(cut - len(needle) + 1, 0) + found)
        scheme = data.rfind(b"://", max(cut - URL_LOOKBACK_BYTES, 0), cut + 3)
        if scheme != -1 and not any(c in data[scheme:cut] for c in b" \t"):
            start = scheme
            while start > 0 and (data[start - 1 : start].isalnum() or data[start - 1] in b"+.-"):
                start -= 1
            cut = min(cut, start)
        while 0 < cut < len(data) and data[cut] & 0xC0 == 0x80:  # inside a UTF-8 character
            cut -= 1
        return cut if cut > 0 else MAX_LINE_BYTES

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        pending = b""
        while chunk := await self._process.stdout.read(READ_CHUNK):
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                self._emit_pieces(raw)
            while len(pending) > MAX_LINE_BYTES + MAX_SECRET_BYTES:
                cut = self._cut(pending)
                self._emit(pending[:cut])
                pending = pending[cut:]
        if pending:
            self._emit(pending)

    async def wait(self) -> TaskResult:
        """Wait for the process and its output to end; cancelling this cancels the task."""
        process, reader = self._process, self._reader
        if process is None or reader is None:
            raise TaskError(f"task {self.spec.name!r} was not started")
        try:
            await asyncio.gather(process.wait(), reader)
        except asyncio.CancelledError:
            await asyncio.shield(self.cancel())
            raise
        return TaskResult(
            name=self.spec.name,
            exit_status=process.returncode if process.returncode is not None else -1,
            elapsed_seconds=time.monotonic() - self._started_at,
            cancelled=self._cancelled,
            lines=self.buffer.lines,
            dropped_lines=self.buffer.dropped,
        )

    async def cancel(self) -> None:
        """SIGTERM the task's process group, then SIGKILL whatever is left after the grace.

        Returns once no live process of the group remains (or a last bound has passed), so
        a caller may rely on the task's children being gone.
        """
        process = self._process
        if process is None or self._cancelled:
            return
        self._cancelled = True
        _signal_group(process.pid, signal.SIGTERM)
        if not await _group_gone(process.pid, self._grace):
            _signal_group(process.pid, signal.SIGKILL)
            await _group_gone(process.pid, KILL_WAIT_SECONDS)
        await process.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def group_alive(pgid: int) -> bool:
    """True while a process of the group runs (zombies awaiting a reaper do not count)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel, zombies included
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
            return True
    return False


async def _group_gone(pgid: int, within_seconds: float) -> bool:
    """Wait up to within_seconds for every process of the group to end; True if they did."""
    deadline = time.monotonic() + within_seconds
    while await asyncio.to_thread(group_alive, pgid):
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(GROUP_POLL_SECONDS)
    return True


async def run_task(
    spec: TaskSpec,
    on_line: LineCallback | None = None,
    secrets: Iterable[str | None] = (),
    env: Mapping[str, str] | None = None,
    max_lines: int = MAX_LINES,
    max_bytes: int = MAX_BYTES,
) -> TaskResult:
    """Start spec, stream its lines to on_line, and return how it ended."""
    run = TaskRun(spec, on_line, secrets, env, max_lines, max_bytes)
    await run.start()
    return await run.wait()
