"""The asyncpg pool, and the read-only transaction every catalog query runs in.

No server-side statement cache (`statement_cache_size=0`), so Supabase's pooler in transaction
mode (and PgBouncer) work: a prepared statement never has to survive its transaction.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from ehgtui.db.settings import DEFAULT_CONNECT_TIMEOUT_SECONDS, ConnectionTarget, scrub

APPLICATION_NAME = "ehgtui"
"""Shown in pg_stat_activity, so a DBA can tell our sessions apart."""

POOL_MAX_SIZE = 8
"""Enough connections for the catalog's bulk queries to run side by side."""


class ConnectError(RuntimeError):
    """The server could not be reached or refused us; the message is one line, DSN masked."""


def describe_connect_error(exc: BaseException, target: ConnectionTarget, timeout: float) -> str:
    """Turn a connection failure into one line naming the problem, with no secret in it."""
    where = target.masked
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        message = f"connection timed out after {timeout:g}s ({where})"
    elif isinstance(exc, socket.gaierror):
        message = f"unknown host {target.host!r}: the name does not resolve ({where})"
    elif isinstance(exc, ConnectionRefusedError):
        message = f"connection refused: is the server running? ({where})"
    elif isinstance(exc, asyncpg.InvalidPasswordError):
        message = f"authentication failed: {_first_line(exc)} ({where})"
    elif isinstance(exc, asyncpg.ClientConfigurationError):
        message = f"malformed DSN {where}: {_first_line(exc)}"
    elif isinstance(exc, asyncpg.InvalidCatalogNameError):
        message = f"database does not exist ({where})"
    elif isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        message = f"not authorised: {str(exc).splitlines()[0]} ({where})"
    elif "rejected SSL upgrade" in str(exc):
        message = f"TLS required but the server does not offer TLS ({where})"
    elif isinstance(exc, ssl.SSLError) or "SSL" in str(exc) or "TLS" in str(exc):
        message = f"TLS required but could not be negotiated ({where}): {_first_line(exc)}"
    elif isinstance(exc, OSError):
        message = f"cannot connect ({where}): {exc.strerror or exc}"
    else:
        message = f"cannot connect ({where}): {_first_line(exc)}"
    return scrub(message, target.password)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class PoolerSafeConnection(asyncpg.Connection):
    """An asyncpg connection whose named statements have names unique across processes.

    Cursors need a named prepared statement even with `statement_cache_size=0`, and asyncpg
    numbers them from 1 in every process. Behind PgBouncer in transaction mode two clients
    (or one client's two transactions) share a server connection, so the second
    `__asyncpg_stmt_1__` fails with "prepared statement already exists". A random name cannot
    collide; asyncpg closes the statement after use as before.
    """

    def _get_unique_id(self, prefix: str) -> str:
        return f"__ehgtui_{prefix}_{uuid.uuid4().hex}__"


def connect_kwargs(target: ConnectionTarget, timeout: float) -> dict[str, Any]:
    """Arguments shared by asyncpg.connect and asyncpg.create_pool."""
    kwargs: dict[str, Any] = {
        "dsn": target.driver_dsn,
        "timeout": timeout,
        "connection_class": PoolerSafeConnection,
        "statement_cache_size": 0,
        "server_settings": {"application_name": APPLICATION_NAME},
    }
    if target.requires_tls:
        kwargs["ssl"] = "require"
    return kwargs


async def create_pool(
    target: ConnectionTarget,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_SECONDS,
    max_size: int = POOL_MAX_SIZE,
    on_connection_lost: Callable[[], None] | None = None,
) -> asyncpg.Pool:
    """Open a pool (one connection now, more on demand) or raise ConnectError.

    The DSN's own `connect_timeout` (libpq's parameter, in seconds) wins over connect_timeout.

    Args:
        target: Where to connect.
        connect_timeout: Seconds a connection attempt may take.
        max_size: The most connections the pool opens.
        on_connection_lost: Called (in the event loop) whenever one of the pool's connections
            ends: the server terminated it, went away, or the pool is being closed. Idle
            connections are never retired by the pool, so an unexpected call means a loss.
    """
    connect_timeout = target.connect_timeout or connect_timeout
    kwargs = connect_kwargs(target, connect_timeout)
    if on_connection_lost is not None:
        callback = on_connection_lost

        async def watch(conn: asyncpg.Connection) -> None:
            conn.add_termination_listener(lambda _conn: callback())

        kwargs |= {"init": watch, "max_inactive_connection_lifetime": 0}
    try:
        async with asyncio.timeout(connect_timeout + 1):
            pool = await asyncpg.create_pool(
                min_size=1, max_size=max_size, reset=_no_reset, **kwargs
            )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise ConnectError(describe_connect_error(exc, target, connect_timeout)) from None
    except ValueError as exc:  # asyncpg's DSN parser
        raise ConnectError(
            scrub(f"malformed DSN {target.masked}: {exc}", target.password)
        ) from None
    assert pool is not None
    return pool


async def _no_reset(_conn: asyncpg.Connection) -> None:
    """Skip asyncpg's reset on release (a round trip each time).

    Our sessions never change session state: everything runs in transactions that roll back,
    and role or setting changes are `SET LOCAL`, which end with them.
    """


AnyConnection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
"""A connection, or the pool's proxy for one (which forwards every Connection method)."""


async def fetch_read_only(pool: asyncpg.Pool, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Run one query in a READ ONLY transaction and return its rows as soon as they arrive.

    The rollback and the release happen in the background: the rows are already ours, and
    waiting for one more round trip would add its latency to every catalog load.
    """
    conn = await pool.acquire()
    tx = conn.transaction(readonly=True, isolation="repeatable_read")
    try:
        await tx.start()
        rows = list(await conn.fetch(sql, *args))
    except BaseException:
        await _finish(pool, conn, tx)
        raise
    task = asyncio.create_task(_finish(pool, conn, tx))
    _finishing.add(task)
    task.add_done_callback(_finishing.discard)
    return rows


_finishing: set[asyncio.Task[None]] = set()
"""Background rollbacks in flight (kept referenced so they are not garbage collected)."""


async def _finish(pool: asyncpg.Pool, conn: PoolConnectionProxy, tx: Any) -> None:
    try:
        if not conn.is_closed():
            await tx.rollback()
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        conn.terminate()
    finally:
        await pool.release(conn)


@asynccontextmanager
async def read_only(pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    """Yield a connection inside a READ ONLY transaction that is always rolled back."""
    async with pool.acquire() as conn:
        tx = conn.transaction(readonly=True, isolation="repeatable_read")
        await tx.start()
        try:
            yield conn
        finally:
            if not conn.is_closed():
                await tx.rollback()


POOL_CLOSE_TIMEOUT_SECONDS = 3.0
"""How long a clean pool close may take (on exit, or when a newer pool replaces it) before
its connections are cut."""


async def close_quietly(pool: asyncpg.Pool) -> None:
    """Close a pool, terminating its connections if a clean close fails or takes too long."""
    try:
        await asyncio.wait_for(pool.close(), POOL_CLOSE_TIMEOUT_SECONDS)
    except (TimeoutError, asyncpg.PostgresError, OSError):
        pool.terminate()
