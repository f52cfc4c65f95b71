"""Task runner: no shell, bounded memory under a flood of output, cancel ends the whole group.

Real subprocesses; waits are on the processes themselves, with bounded deadlines.
"""

from __future__ import annotations

import asyncio
import resource
import sys
from pathlib import Path

import psutil

from ehgtui.tasks.output_buffer import MAX_BYTES
from ehgtui.tasks.registry import TaskSpec
from ehgtui.tasks.runner import TaskRun, group_alive, run_task

DEADLINE_SECONDS = 60.0
"""Upper bound for waiting on a task: a safety net, not a timing assumption."""

FLOOD_BYTES = 200 * 1024 * 1024
"""What the flooding task prints: far more than the buffer may keep."""

INJECTIONS = ("$(touch dollar)", "`touch backtick`", "; touch semicolon", "| touch pipe", "&&x")


async def test_arguments_are_never_interpreted_by_a_shell(tmp_path: Path) -> None:
    spec = TaskSpec("echo", ("echo", *INJECTIONS), tmp_path)
    result = await asyncio.wait_for(run_task(spec), DEADLINE_SECONDS)
    assert result.exit_status == 0
    assert result.lines == (" ".join(INJECTIONS),)
    created = await asyncio.to_thread(lambda: sorted(p.name for p in tmp_path.iterdir()))
    assert created == []


def _max_rss_bytes() -> int:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


async def test_flood_of_output_keeps_memory_bounded(tmp_path: Path) -> None:
    line_bytes = 1024
    lines = FLOOD_BYTES // line_bytes
    program = (
        "import sys\n"
        f"row = b'y' * {line_bytes - 1} + b'\\n'\n"
        "out = sys.stdout.buffer\n"
        f"for i in range({lines} - 1):\n"
        "    out.write(row)\n"
        "out.write(b'the end\\n')\n"
    )
    seen = 0

    def count(_line: str) -> None:
        nonlocal seen
        seen += 1

    before = _max_rss_bytes()
    run = TaskRun(TaskSpec("flood", (sys.executable, "-c", program), tmp_path), on_line=count)
    await run.start()
    result = await asyncio.wait_for(run.wait(), 300)
    grown = _max_rss_bytes() - before

    assert result.exit_status == 0
    assert seen == lines  # every line streamed past
    assert result.lines[-1] == "the end"
    assert run.buffer.size_bytes <= MAX_BYTES
    assert result.dropped_lines == lines - len(result.lines) > 0
    # the test process's peak memory grew by far less than the 200 MB that went through it
    assert grown < 64 * 1024 * 1024, f"peak RSS grew by {grown / 2**20:.0f} MiB"


async def test_cancel_kills_the_process_group_even_children_ignoring_sigterm(
    tmp_path: Path,
) -> None:
    # a shell program we chose (argv, no interpolation): two children, one deaf to SIGTERM
    script = (
        "sleep 300 & echo child $!; (trap '' TERM; sleep 300) & echo child $!; echo ready; wait"
    )
    lines: list[str] = []
    ready = asyncio.Event()

    def on_line(line: str) -> None:
        lines.append(line)
        if line == "ready":
            ready.set()

    run = TaskRun(
        TaskSpec("children", ("sh", "-c", script), tmp_path),
        on_line=on_line,
        kill_grace_seconds=0.5,
    )
    await run.start()
    await asyncio.wait_for(ready.wait(), DEADLINE_SECONDS)
    assert run.pid is not None
    children = [int(line.split()[1]) for line in lines if line.startswith("child ")]
    assert len(children) == 2 and all(psutil.pid_exists(pid) for pid in children)

    await asyncio.wait_for(run.cancel(), DEADLINE_SECONDS)
    result = await asyncio.wait_for(run.wait(), DEADLINE_SECONDS)

    assert result.cancelled and not result.succeeded
    assert result.exit_status < 0  # ended by a signal
    assert not group_alive(run.pid)
    for pid in children:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
