"""A read-only query whose one-value answer costs one round trip: BEGIN, query and ROLLBACK in
one message.

asyncpg runs a query with parameters in the extended protocol: Parse and Describe, then Bind
and Execute, two round trips, plus one each for `BEGIN READ ONLY` and `ROLLBACK`. Over the
internet (50 to 150 ms a round trip) those four dominate a quick lookup whose catalog is cached.
PostgreSQL's simple protocol takes several statements in one message, but asyncpg's `execute`
returns no rows from it; a message raised with `RAISE INFO` does arrive (INFO always reaches
the client, whatever `client_min_messages` says). So the text sent is

    BEGIN READ ONLY; DO $tag$ BEGIN RAISE INFO 'mark%', (query); END $tag$; ROLLBACK

which is one statement in the server's log, read-only from its first word, and works through
PgBouncer in transaction mode (the transaction begins and ends in the one message). Where it
cannot work (no PL/pgSQL, the INFO message filtered by a proxy, text that could close the
dollar quote) `fetch_value_in_one_trip` returns None and the caller takes the usual path.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from ehgtui.db.one_trip_text import MARK as _MARK
from ehgtui.db.one_trip_text import one_trip_sql
from ehgtui.db.pool import AnyConnection
from ehgtui.db.sql_literals import text_array_literal, text_literal

__all__ = ["fetch_value_in_one_trip", "one_trip_sql", "text_array_literal", "text_literal"]


async def fetch_value_in_one_trip(conn: AnyConnection, query: str) -> str | None:
    """The text of the one value `query` (no parameters, no comments, no line break inside a
    literal) returns, from one round
    trip in a READ ONLY transaction; None when this path does not work here (the caller then
    runs the query the usual way).

    Raises:
        asyncpg.PostgresError: the query itself failed (the transaction is rolled back).
    """
    sql = one_trip_sql(query)
    if sql is None:
        return None
    answers: list[str] = []

    def listen(_conn: Any, message: asyncpg.PostgresLogMessage) -> None:
        text = str(getattr(message, "message", ""))
        if text.startswith(_MARK):
            answers.append(text.removeprefix(_MARK))

    conn.add_log_listener(listen)
    try:
        try:
            await conn.execute(sql)
        except asyncpg.UndefinedObjectError:  # language "plpgsql" does not exist
            await _roll_back(conn)
            return None
        except asyncpg.PostgresError:
            await _roll_back(conn)
            raise
        except BaseException:  # cancelled mid-message: the transaction may still be open
            conn.terminate()
            raise
        # asyncpg hands log messages to listeners with call_soon: give them their turn.
        for _ in range(3):
            if answers:
                break
            await asyncio.sleep(0)
    finally:
        conn.remove_log_listener(listen)
    return answers[0] if answers else None


async def _roll_back(conn: AnyConnection) -> None:
    """End the transaction a failed statement left open (the rest of the message was skipped)."""
    if not conn.is_closed():
        await conn.execute("ROLLBACK")
