"""The task runner with real subprocesses: streaming, exit status, cancel, bounds, masking."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from ehgtui.tasks.registry import TaskSpec
from ehgtui.tasks.runner import TaskError, TaskNotFoundError, TaskRun, run_task


def _python(name: str, code: str, cwd: Path | None = None) -> TaskSpec:
    return TaskSpec(name, (sys.executable, "-u", "-c", code), cwd)


def _alive(pid: int) -> bool:
    """True while pid is a live process (zombies waiting for a reaper count as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def test_lines_are_streamed_in_order_with_exit_status() -> None:
    seen: list[str] = []
    code = "import sys\nprint('one')\nprint('two', file=sys.stderr)\nprint('three')\nsys.exit(3)"
    result = await run_task(_python("three lines", code), on_line=seen.append)
    assert seen == ["one", "two", "three"]
    assert result.lines == ("one", "two", "three")
    assert result.exit_status == 3 and not result.succeeded and not result.cancelled
    assert result.elapsed_seconds > 0 and result.dropped_lines == 0


async def test_runs_in_cwd_without_a_shell(tmp_path: Path) -> None:
    code = "import os, sys; print(os.getcwd()); print(sys.argv[1:])"
    spec = TaskSpec("argv", (sys.executable, "-c", code, "$HOME", "a b;", "|x"), tmp_path)
    result = await run_task(spec)
    assert result.lines == (str(tmp_path), "['$HOME', 'a b;', '|x']")
    assert result.succeeded


async def test_secrets_are_masked_in_echoed_output() -> None:
    code = (
        "print('password is s3cr3t!')\n"
        "print('url postgresql://postgres:hunter2@db.example.co:5432/postgres')"
    )
    seen: list[str] = []
    result = await run_task(_python("leaky", code), on_line=seen.append, secrets=["s3cr3t!"])
    assert seen == [
        "password is ***",
        "url postgresql://postgres:***@db.example.co:5432/postgres",
    ]
    assert "s3cr3t!" not in "".join(result.lines) and "hunter2" not in "".join(result.lines)


async def test_buffer_keeps_only_the_last_lines() -> None:
    code = "for i in range(50000): print(f'line {i:05d} ' + 'x' * 40)"
    count = 0

    def on_line(_line: str) -> None:
        nonlocal count
        count += 1

    result = await run_task(_python("chatty", code), on_line=on_line, max_lines=10_000)
    assert count == 50_000  # every line streamed...
    assert len(result.lines) == 10_000  # ...only the last ones kept
    assert result.lines[0].startswith("line 40000 ") and result.lines[-1].startswith("line 49999")
    assert result.dropped_lines == 40_000


async def test_buffer_byte_budget() -> None:
    code = "for i in range(3000): print(str(i).rjust(999, '.'))"  # 1000 bytes a line
    result = await run_task(_python("wide", code), max_bytes=100_000)
    assert len(result.lines) == 100 and result.lines[-1].endswith("2999")
    assert result.dropped_lines == 2900


async def test_very_long_line_is_split_not_unbounded() -> None:
    result = await run_task(_python("one long line", "print('y' * 200_000)"))
    assert [len(line) for line in result.lines] == [65536, 65536, 65536, 3392]


async def test_cancel_kills_the_whole_process_group() -> None:
    # the task starts a child that ignores SIGTERM (so SIGKILL is needed) and a grandchild
    # of its own, prints their pids, then sleeps
    grandchild = "import time; time.sleep(600)"
    child = (
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        f"g = subprocess.Popen([sys.executable, '-c', {grandchild!r}])\n"
        "print(g.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    leader = (
        "import subprocess, sys, time\n"
        f"c = subprocess.Popen([sys.executable, '-u', '-c', {child!r}])\n"
        "print(c.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    pids: list[int] = []
    both_printed = asyncio.Event()

    def on_line(line: str) -> None:
        pids.append(int(line))
        if len(pids) == 2:
            both_printed.set()

    run = TaskRun(_python("sleeper", leader), on_line=on_line, kill_grace_seconds=0.5)
    await run.start()
    assert run.pid is not None
    waiting = asyncio.create_task(run.wait())
    await asyncio.wait_for(both_printed.wait(), 60)
    every_pid = [run.pid, *pids]
    assert all(_alive(pid) for pid in every_pid)
    await run.cancel()
    result = await asyncio.wait_for(waiting, 60)
    assert result.cancelled and not result.succeeded
    assert result.exit_status < 0  # ended by a signal
    assert [pid for pid in every_pid if _alive(pid)] == []


async def test_cancelling_the_waiting_coroutine_cancels_the_task() -> None:
    started = asyncio.Event()
    run = TaskRun(
        _python("sleeper", "import time\nprint('up', flush=True)\ntime.sleep(600)"),
        on_line=lambda _line: started.set(),
    )
    await run.start()
    waiting = asyncio.create_task(run.wait())
    await asyncio.wait_for(started.wait(), 60)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert run.pid is not None and not _alive(run.pid)


async def test_missing_executable_names_the_builtin_alternative() -> None:
    spec = TaskSpec(
        "Check migration status",
        ("ehgtui-no-such-program", "migration", "list"),
        None,
        builtin_alternative="ehgtui migrations status",
    )
    with pytest.raises(TaskNotFoundError) as caught:
        await run_task(spec)
    assert str(caught.value) == (
        "ehgtui-no-such-program: command not found (task 'Check migration status'); "
        "use the built-in `ehgtui migrations status` instead"
    )


async def test_missing_working_directory(tmp_path: Path) -> None:
    spec = _python("nowhere", "print(1)", cwd=tmp_path / "absent")
    with pytest.raises(TaskError, match="working directory .*absent does not exist"):
        await run_task(spec)
