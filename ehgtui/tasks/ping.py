"""`ehgtui ping`: is the server there, how far away, who are we, and can we write?"""

from __future__ import annotations

import time
from dataclasses import dataclass

import asyncpg

from ehgtui.db.read_only_session import read_only

PING_SAMPLES = 3
"""Round trips timed; the best is reported, as network jitter only ever adds."""

ROUND_TRIP_SQL = "SELECT 1"
"""Sent with `execute` (simple query protocol): exactly one round trip, nothing prepared."""

SESSION_SQL = """
SELECT current_setting('server_version') AS version,
       current_setting('server_version_num')::int AS version_num,
       current_database()::text AS database,
       current_user::text AS current_user,
       session_user::text AS session_user,
       current_setting('default_transaction_read_only') = 'on' AS default_read_only,
       current_setting('transaction_read_only') = 'on' AS transaction_read_only
"""
"""Who and where we are; `transaction_read_only` as seen inside our read-only transaction."""


@dataclass(frozen=True, slots=True)
class PingResult:
    """What one ping measured and what the server said."""

    round_trip_ms: float
    """The best of the timed round trips, in milliseconds."""
    samples_ms: tuple[float, ...]
    server_version: str
    server_version_num: int
    database: str
    current_user: str
    session_user: str
    default_transaction_read_only: bool
    """The session's default: on for a read-only role or a hot standby."""
    transaction_read_only: bool
    """Inside ehgtui's own transaction: always true, which proves reads cannot write."""


async def ping(pool: asyncpg.Pool, samples: int = PING_SAMPLES) -> PingResult:
    """Time `samples` round trips and read the session facts, in one read-only transaction."""
    timings: list[float] = []
    async with read_only(pool) as conn:
        for _ in range(max(1, samples)):
            started = time.perf_counter()
            await conn.execute(ROUND_TRIP_SQL)
            timings.append((time.perf_counter() - started) * 1000)
        row = await conn.fetchrow(SESSION_SQL)
    assert row is not None
    return PingResult(
        round_trip_ms=min(timings),
        samples_ms=tuple(timings),
        server_version=row["version"],
        server_version_num=row["version_num"],
        database=row["database"],
        current_user=row["current_user"],
        session_user=row["session_user"],
        default_transaction_read_only=row["default_read_only"],
        transaction_read_only=row["transaction_read_only"],
    )


def ping_facts(result: PingResult, target: str) -> list[tuple[str, str]]:
    """The ping as label/value lines, the same for `ehgtui ping` and the palette's Ping.

    Args:
        result: What `ping` measured.
        target: The DSN with its password masked.
    """
    samples = len(result.samples_ms)
    return [
        ("target", target),
        ("round trip", f"{result.round_trip_ms:.2f} ms (best of {samples})"),
        ("server", f"PostgreSQL {result.server_version}"),
        ("database", result.database),
        ("role", f"{result.current_user} (session {result.session_user})"),
        ("default_transaction_read_only", _on_off(result.default_transaction_read_only)),
        ("transaction_read_only", f"{_on_off(result.transaction_read_only)} (ehgtui's reads)"),
    ]


def _on_off(value: bool) -> str:
    return "on" if value else "off"
