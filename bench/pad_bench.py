"""Query pad benchmarks: completion per keystroke on a 10,000-table catalog, memory while
scrolling 100,000 result rows in the pad's grid, first rows of a 1,000,000-row query.

    PYTHONPATH=. python -m bench.pad_bench [--dsn DSN]

Writes bench/PAD_RESULTS.md. The first-rows figure needs a server (`--dsn`, e.g. the demo's).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

import psutil  # type: ignore[import-untyped]

from ehgtui.catalog.model import Catalog, Column, ServerInfo, Table
from ehgtui.query.complete import CompletionIndex

TABLES = 10_000
ROWS_SCROLLED = 100_000
FIRST_ROWS_QUERY = "select g, md5(g::text) from generate_series(1, 1000000) g"


def _column(name: str, data_type: str) -> Column:
    return Column(
        name,
        0,
        data_type,
        "pg_catalog",
        "b",
        None,
        (),
        False,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    )


def big_catalog(count: int = TABLES) -> Catalog:
    columns = tuple(
        _column(n, t)
        for n, t in (
            ("id", "uuid"),
            ("hub_id", "uuid"),
            ("title", "text"),
            ("status", "text"),
            ("payload", "jsonb"),
            ("created_at", "timestamptz"),
            ("updated_at", "timestamptz"),
        )
    )
    prefixes = ("venture", "eva", "leo", "sd", "agent", "chairman", "uat", "security", "ops", "crm")
    tables = tuple(
        Table(
            i,
            "public",
            f"{prefixes[i % 10]}_item_{i:05d}",
            "table",
            "postgres",
            None,
            True,
            False,
            0,
            0,
            "p",
            "d",
            (),
            None,
            None,
            None,
            (),
            None,
            columns,
        )
        for i in range(count)
    )
    return Catalog(ServerInfo("18.1", 180001, "db", "postgres", False), ("public",), tables)


def bench_completion() -> dict[str, float]:
    started = time.perf_counter()
    index = CompletionIndex(big_catalog())
    build = time.perf_counter() - started
    text = (
        "select v.title, s.status from venture_item_00010 v"
        " join sd_item_00003 s on s.hub_id = v.hub_id where v.st"
    )
    times = []
    for end in range(len("select "), len(text) + 1):  # one completion per keystroke
        t0 = time.perf_counter()
        index.complete(text[:end], end)
        times.append(time.perf_counter() - t0)
    return {
        "index_build_ms": build * 1000,
        "median_ms": statistics.median(times) * 1000,
        "max_ms": max(times) * 1000,
    }


async def bench_scroll() -> dict[str, float]:
    from textual.app import App, ComposeResult

    from ehgtui.tui.widgets.query.result_grid import ResultGrid, result_cell

    class GridApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ResultGrid(["n", "md5", "note"], id="g")

    process = psutil.Process()
    app = GridApp()
    async with app.run_test(size=(120, 36)) as pilot:
        grid = app.query_one(ResultGrid)
        grid.focus()
        await pilot.pause()
        before = process.memory_info().rss
        rows = [(str(i), f"{i:032x}", None) for i in range(ROWS_SCROLLED)]
        for start in range(0, ROWS_SCROLLED, 5000):  # as the cursor's batches arrive
            grid.append_rows([result_cell(v) for v in row] for row in rows[start : start + 5000])
        peak = process.memory_info().rss
        pages = 0
        while grid.cursor_row < grid.row_count - 1:
            grid.action_page_down()
            pages += 1
            if pages % 50 == 0:
                await pilot.pause()
                peak = max(peak, process.memory_info().rss)
        await pilot.pause()
        peak = max(peak, process.memory_info().rss)
    return {"rss_growth_mb": (peak - before) / 2**20, "pages": pages}


async def bench_first_rows(dsn: str) -> dict[str, float]:
    from ehgtui.db.pool import create_pool
    from ehgtui.db.settings import ConnectionTarget
    from ehgtui.query.run import QueryRequest, QueryResult, run_query
    from ehgtui.query.settings import HARD_MAX_ROWS, QuerySettings

    pool = await create_pool(ConnectionTarget(dsn, "bench"))
    first: list[float] = []
    try:
        started = time.perf_counter()

        def arrived(result: QueryResult) -> None:
            if not first:
                first.append(time.perf_counter() - started)

        result = await run_query(
            pool, QueryRequest(FIRST_ROWS_QUERY, max_rows=HARD_MAX_ROWS), QuerySettings(), arrived
        )
        total = time.perf_counter() - started
    finally:
        await pool.close()
    return {"first_rows_s": first[0], "all_rows_s": total, "rows": len(result.rows)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dsn")
    args = parser.parse_args()
    lines = [
        "# Query pad benchmarks",
        "",
        "`PYTHONPATH=. python -m bench.pad_bench [--dsn DSN]`",
        "",
    ]
    completion = bench_completion()
    lines.append(
        f"- completion on {TABLES:,} tables: median {completion['median_ms']:.2f} ms, "
        f"max {completion['max_ms']:.2f} ms per keystroke (target < 16 ms); index built "
        f"once per catalog in {completion['index_build_ms']:.0f} ms"
    )
    scroll = asyncio.run(bench_scroll())
    lines.append(
        f"- {ROWS_SCROLLED:,} rows appended in batches and scrolled page by page "
        f"({scroll['pages']:.0f} pages): RSS grew {scroll['rss_growth_mb']:.1f} MB "
        "(target < 100 MB)"
    )
    if args.dsn:
        first = asyncio.run(bench_first_rows(args.dsn))
        lines.append(
            f"- `{FIRST_ROWS_QUERY}`: first rows after {first['first_rows_s']:.3f} s "
            f"(target < 0.2 s), all {first['rows']:,.0f} after {first['all_rows_s']:.1f} s"
        )
    else:
        lines.append("- first rows of a 1,000,000-row query: not measured (no --dsn)")
    text = "\n".join(lines) + "\n"
    Path(__file__).with_name("PAD_RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
