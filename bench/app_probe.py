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

from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import build_app
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.widgets.tree.domain_tree import DomainTree

SWITCHES = 40
"""Table switches timed (alternating between two tables) for the p50/p95."""


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
                name = wide if i % 2 == 0 else other
                t0 = time.perf_counter()
                screen.show_table(name)
                await pilot.pause()
                timings.append((time.perf_counter() - t0) * 1000)
            wide_timings = timings[0::2]
            result["switch_p50_ms"] = statistics.median(wide_timings)
            result["switch_p95_ms"] = statistics.quantiles(wide_timings, n=20)[18]
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main() -> None:
    dsn = sys.argv[1]
    wide = sys.argv[2] if len(sys.argv) > 2 else None
    other = sys.argv[3] if len(sys.argv) > 3 else None
    print(json.dumps(asyncio.run(probe(dsn, wide, other))))


if __name__ == "__main__":
    main()
