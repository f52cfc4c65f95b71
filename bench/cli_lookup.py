"""Quick lookups from the shell: `ehgtui --help`, `describe` and `ddl` against psql and pg_dump.

`python -m bench.cli_lookup [--repeat N]` starts a private PostgreSQL 18 holding the demo
schema and times whole processes, as a user at a shell prompt meets them: ehgtui's start, a
`describe` and a `ddl` of the widest table with a warm catalog cache (schema unchanged) and
with a cold one (`--no-cache`), next to `psql -c '\\d+ T'` and `pg_dump -s -t T` on the same
path, on loopback and through the 50 ms round-trip proxy. Every pair is run in turns (A B A B
…) and quoted as medians, so that a ratio compares the same moments of a noisy machine. It
writes bench/CLI_RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.latency_proxy import latency_proxy
from bench.run import ONE_WAY_MS, WIDE_TABLE, create_database, machine
from ehgtui.demo.schema import demo_schema_sql
from ehgtui.demo.server import LocalServer, embedded_bin_dir

Command = Sequence[str]


def _seconds(command: Command, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, check=True, env=env, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    return time.perf_counter() - started


def in_turns(commands: dict[str, Command], repeat: int, env: dict[str, str]) -> dict[str, float]:
    """The median wall time of each command, the commands run in turns `repeat` times."""
    for command in commands.values():  # warm-up: page cache, catalog cache, .pyc files
        _seconds(command, env)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(_seconds(command, env))
    return {name: statistics.median(values) for name, values in times.items()}


def lookups(server: LocalServer, dsn: str, repeat: int, env: dict[str, str]) -> dict[str, float]:
    ehgtui = [sys.executable, "-m", "ehgtui"]
    return in_turns(
        {
            "describe_warm": [*ehgtui, "describe", WIDE_TABLE, "--dsn", dsn],
            "describe_cold": [*ehgtui, "describe", WIDE_TABLE, "--no-cache", "--dsn", dsn],
            "psql_describe": [
                str(server.bin_dir / "psql"),
                "-X",
                "-q",
                "-d",
                dsn,
                "-c",
                f"\\d+ public.{WIDE_TABLE}",
            ],
            "ddl_warm": [*ehgtui, "ddl", WIDE_TABLE, "--dsn", dsn],
            "ddl_cold": [*ehgtui, "ddl", WIDE_TABLE, "--no-cache", "--dsn", dsn],
            "pg_dump_table": [
                str(server.bin_dir / "pg_dump"),
                "--schema-only",
                "-t",
                f"public.{WIDE_TABLE}",
                "-d",
                dsn,
            ],
        },
        repeat,
        env,
    )


def run(repeat: int) -> dict[str, object]:
    results: dict[str, object] = {"machine": machine(), "repeat": repeat}
    with tempfile.TemporaryDirectory(prefix="ehgtui-cli-bench-") as tmp:
        env = dict(os.environ, XDG_CACHE_HOME=str(Path(tmp) / "cache"))
        env.pop("DATABASE_URL", None)
        results["start"] = in_turns(
            {
                "help": [sys.executable, "-m", "ehgtui", "--help"],
                "python": [sys.executable, "-c", "pass"],
            },
            repeat * 2,
            env,
        )
        server = LocalServer(embedded_bin_dir(), Path(tmp) / "pg")
        server.start()
        try:
            create_database(server, "demo", demo_schema_sql() + "\nANALYZE;")
            port = server.running_port()
            assert port is not None
            dsn = server.dsn().rsplit("/", 1)[0] + "/demo"
            results["loopback"] = lookups(server, dsn, repeat, env)
            with latency_proxy(port, ONE_WAY_MS) as proxy_port:
                slow = dsn.replace(f":{port}/", f":{proxy_port}/")
                results["rtt_50ms"] = lookups(server, slow, repeat, env)
        finally:
            server.stop()
    return results


def _row(figure: str, measured: str, target: str, met: bool | None) -> str:
    verdict = "" if met is None else ("met" if met else "not met")
    return f"| {figure} | {measured} | {target} | {verdict} |"


def render(results: dict[str, object]) -> str:
    start = results["start"]
    loop = results["loopback"]
    slow = results["rtt_50ms"]
    assert isinstance(start, dict) and isinstance(loop, dict) and isinstance(slow, dict)
    help_ratio = start["help"] / start["python"]
    rows = [
        _row(
            "`ehgtui --help` / bare `python -c pass`",
            f"{start['help']:.3f} s / {start['python']:.3f} s ({help_ratio:.1f}×)",
            "< 0.1 s and ≤ 4×",
            start["help"] < 0.1 and help_ratio <= 4,
        ),
        _row(
            "`describe` warm cache, loopback",
            f"{loop['describe_warm']:.3f} s (psql `\\d+`: {loop['psql_describe']:.3f} s)",
            "< 0.15 s",
            loop["describe_warm"] < 0.15,
        ),
        _row(
            "`describe` warm cache vs psql `\\d+`, 50 ms RTT",
            f"{slow['describe_warm']:.3f} s vs {slow['psql_describe']:.3f} s "
            f"({slow['describe_warm'] / slow['psql_describe']:.2f}×)",
            "≤ 0.5× (with TLS and SCRAM)",
            slow["describe_warm"] <= 0.5 * slow["psql_describe"],
        ),
        _row(
            "`describe` cold cache vs `pg_dump -s -t`, 50 ms RTT",
            f"{slow['describe_cold']:.3f} s vs {slow['pg_dump_table']:.3f} s "
            f"({slow['describe_cold'] / slow['pg_dump_table']:.2f}×)",
            "≤ 0.7×",
            slow["describe_cold"] <= 0.7 * slow["pg_dump_table"],
        ),
        _row(
            "`ddl` warm cache vs `pg_dump -s -t`, 50 ms RTT",
            f"{slow['ddl_warm']:.3f} s vs {slow['pg_dump_table']:.3f} s "
            f"({slow['ddl_warm'] / slow['pg_dump_table']:.2f}×)",
            "(info)",
            None,
        ),
        _row(
            "`ddl` cold cache vs `pg_dump -s -t`, 50 ms RTT",
            f"{slow['ddl_cold']:.3f} s vs {slow['pg_dump_table']:.3f} s "
            f"({slow['ddl_cold'] / slow['pg_dump_table']:.2f}×)",
            "≤ 0.7×",
            slow["ddl_cold"] <= 0.7 * slow["pg_dump_table"],
        ),
    ]
    detail = [f"| {name} | {loop[name]:.3f} s | {slow[name]:.3f} s |" for name in loop]
    return "\n".join(
        [
            "# Quick lookups from the shell",
            "",
            "Produced by `python -m bench.cli_lookup` (medians of "
            f"{results['repeat']} runs in turns; whole processes, as at a shell prompt).",
            f"Machine: {results['machine']}. PostgreSQL 18 (embedded), no TLS; the 50 ms "
            "figures go through `bench/latency_proxy.py`. Table: the demo's "
            f"`{WIDE_TABLE}`. Warm: the catalog cache holds the current schema (1 connection, "
            "1 catalog statement); cold: `--no-cache` (1 connection, then the 8-statement "
            "load on the connections it needs).",
            "",
            "| figure | measured | target | |",
            "|---|---|---|---|",
            *rows,
            "",
            "| command | loopback | 50 ms RTT |",
            "|---|---|---|",
            *detail,
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--output", type=Path, default=Path("bench/CLI_RESULTS.md"))
    args = parser.parse_args()
    args.output.write_text(render(run(args.repeat)))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
