"""`ehgtui ping`: round-trip time, server version, role and read-only state."""

from __future__ import annotations

import asyncpg
import click

from ehgtui.cli import output
from ehgtui.cli.connection import connection_options, options_from, run_with_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tasks.ping import PingResult, ping, ping_facts


@click.command(name="ping")
@connection_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def ping_command(dsn: str | None, demo: bool, schemas: tuple[str, ...], as_json: bool) -> None:
    """Check the connection: round trip, server version, role, read-only state."""

    async def work(pool: asyncpg.Pool, target: ConnectionTarget) -> tuple[PingResult, str]:
        return await ping(pool), target.masked

    result, where = run_with_pool(options_from(dsn, demo, schemas), work)
    if as_json:
        output.emit_json(
            {
                "target": where,
                "round_trip_ms": round(result.round_trip_ms, 3),
                "samples_ms": [round(s, 3) for s in result.samples_ms],
                "server_version": result.server_version,
                "server_version_num": result.server_version_num,
                "database": result.database,
                "current_user": result.current_user,
                "session_user": result.session_user,
                "default_transaction_read_only": result.default_transaction_read_only,
                "transaction_read_only": result.transaction_read_only,
            }
        )
        return
    facts = ping_facts(result, where)
    width = max(len(label) for label, _ in facts)
    output.emit_text("\n".join(f"{label.ljust(width)}  {value}" for label, value in facts))
