"""Run in its own process: app start to an interactive tree, table-switch times, peak RSS.

Usage: python -m bench.app_probe DSN [WIDE_TABLE] [OTHER_TABLE]; prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import sys
import time
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen

from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import build_app
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.widgets.tree.domain_tree import DomainTree

SWITCHES = 40
"""Table switches timed (alternating between two tables) for the p50/p95."""

MAX_FRAMES = 5
"""Refreshes to wait for at most after a switch before the screen has nothing left to draw."""


def screen_settled(screen: Screen[Any]) -> bool:
    """Whether the screen has no pending layout, repaint or dirty widget."""
    return not (screen._layout_required or screen._repaint_required or screen._dirty_widgets)


async def timed_switch(pilot: Pilot[None], screen: ExplorerScreen, name: str) -> float:
    """Milliseconds from `show_table` to the new table composited on the (headless) screen.

    `pilot.pause()` waits for idle by sleeping in 20 ms steps until the CPU goes quiet, which
    adds 20-40 ms of sleep to every sample and hides the real work. So this settles first
    with a pause, then times the work itself: the messages the switch posts are processed
    (`_wait_for_screen`), then layout and one composited frame (`_on_timer_update`, what the
    refresh timer runs), repeated until the screen has nothing pending.
    """
    await pilot.pause()
    started = time.perf_counter()
    screen.show_table(name)
    for _ in range(MAX_FRAMES):
        await pilot._wait_for_screen()
        screen._on_timer_update()
        if screen_settled(screen):
            break
    return (time.perf_counter() - started) * 1000


async def probe(dsn: str, wide: str | None, other: str | None) -> dict[str, float]:
    started = time.perf_counter()
    app = build_app(
        lambda: ConnectionTarget(dsn, "bench"), ("public",), Config(), stable=True, use_cache=False
    )
    result: dict[str, float] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        first_paint = None
        while True:
            screen = app.screen
            if first_paint is None and isinstance(screen, ExplorerScreen):
                first_paint = time.perf_counter() - started
            if isinstance(screen, ExplorerScreen):
                tree = screen.query_one(DomainTree)
                if tree.root.children and screen.catalog is not None:
                    break
            await asyncio.sleep(0.002)
        result["first_screen_s"] = first_paint or 0.0
        result["start_to_tree_s"] = time.perf_counter() - started
        await pilot.pause()
        if wide and other:
            timings = []
            for i in range(SWITCHES):
                timings.append(await timed_switch(pilot, screen, wide if i % 2 == 0 else other))
            wide_timings = timings[0::2]
            result["switch_p50_ms"] = statistics.median(wide_timings)
            result["switch_p95_ms"] = statistics.quantiles(wide_timings, n=20)[18]
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM), in MiB.

    Not `getrusage().ru_maxrss`: Linux carries the parent's high-water mark over `fork` and
    `exec`, so a probe started by the benchmark (which holds a 10,000-table catalog itself)
    reported the parent's peak instead of its own.
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def main() -> None:
    dsn = sys.argv[1]
    wide = sys.argv[2] if len(sys.argv) > 2 else None
    other = sys.argv[3] if len(sys.argv) > 3 else None
    print(json.dumps(asyncio.run(probe(dsn, wide, other))))


if __name__ == "__main__":
    main()
