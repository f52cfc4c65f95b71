"""The asyncpg pool, and the read-only transaction every catalog query runs in.

No server-side statement cache (`statement_cache_size=0`), so Supabase's pooler in transaction
mode (and PgBouncer) work: a prepared statement never has to survive its transaction.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from ehgtui.db import conninfo, tls
from ehgtui.db.session_state import BEGIN_CLEARABLE_SQL, CLEAR_SESSION_SQL
from ehgtui.db.settings import DEFAULT_CONNECT_TIMEOUT_SECONDS, ConnectionTarget, DsnError, scrub
from ehgtui.db.tls import TlsSetupError

APPLICATION_NAME = "ehgtui"
"""Shown in pg_stat_activity, so a DBA can tell our sessions apart."""

POOL_MAX_SIZE = 8
"""Enough connections for the catalog's bulk queries to run side by side."""


class ConnectError(RuntimeError):
    """The server could not be reached or refused us; the message is one line, DSN masked."""


def describe_connect_error(
    exc: BaseException, target: ConnectionTarget, timeout: float, tls_reply: bytes | None = None
) -> str:
    """Turn a connection failure into one line naming the problem, with no secret in it.

    Args:
        exc: What connecting raised.
        target: Where it tried to connect.
        timeout: The connect timeout in force, for the timeout message.
        tls_reply: When the server rejected the TLS request, the first byte it sends to a
            fresh one (`_tls_reply`): b"N" from a PostgreSQL without TLS, anything else from
            some other service; None when not known.
    """
    where = target.masked
    mode = target.sslmode
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        message = f"connection timed out after {timeout:g}s"
    elif isinstance(exc, socket.gaierror):
        message = f"unknown host {target.host!r}: the name does not resolve"
    elif isinstance(exc, ConnectionRefusedError):
        message = "connection refused: is the server running?"
    elif isinstance(exc, asyncpg.InvalidPasswordError):
        message = f"authentication failed: {_safe_line(exc, target)}"
    elif isinstance(exc, asyncpg.ClientConfigurationError):
        message = f"invalid connection settings: {_safe_line(exc, target)}"
    elif isinstance(exc, asyncpg.InvalidCatalogNameError):
        message = "database does not exist"
    elif isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        message = f"not authorised: {_safe_line(exc, target)}"
    elif _rejected_tls(exc):
        message = _tls_rejection(mode, tls_reply)
    elif _closed_during_startup(exc):
        message = _closure(tls_reply)
    elif isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or _safe_line(exc, target)
        message = f"server certificate rejected ({_mode_note(target)}): {reason}"
    elif isinstance(exc, ssl.SSLError) or "SSL" in str(exc) or "TLS" in str(exc):
        message = f"TLS could not be negotiated ({_mode_note(target)}): {_safe_line(exc, target)}"
    elif isinstance(exc, OSError):
        message = f"cannot connect: {scrub(exc.strerror or str(exc), target.password)}"
    else:
        message = f"cannot connect: {_safe_line(exc, target)}"
    return f"{message} ({where})"


def _mode_note(target: ConnectionTarget) -> str:
    if target.settings.get("sslmode"):
        return f"sslmode={target.sslmode}"
    return f"sslmode={target.sslmode}, the default for this host"


def _rejected_tls(exc: BaseException) -> bool:
    return "rejected SSL upgrade" in str(exc)


def _closed_during_startup(exc: BaseException) -> bool:
    """The server hung up before the session was ready. asyncpg words this in its own terms
    ("unexpected connection_lost() call", "connection was closed in the middle of
    operation", or an empty ConnectionResetError in the TLS handshake), none of which says
    anything to the user."""
    return isinstance(
        exc,
        ConnectionResetError
        | ConnectionAbortedError
        | BrokenPipeError
        | ssl.SSLEOFError
        | asyncpg.ConnectionDoesNotExistError
        | asyncpg.ProtocolError,
    ) or (type(exc) is ConnectionError and "connection_lost" in str(exc))


def _closure(reply: bytes | None) -> str:
    if reply not in (None, b"", b"N", b"S", b"E"):
        return "the server did not answer as PostgreSQL does: is another service on that port?"
    return (
        "the server closed the connection during startup: check that this is PostgreSQL's "
        "port, and the server's log for why"
    )


def _tls_rejection(mode: str, reply: bytes | None) -> str:
    if mode in ("allow", "prefer") or (reply is not None and reply != b"N"):
        # under prefer a PostgreSQL without TLS answers "N" and asyncpg goes on without it
        return "the server did not answer as PostgreSQL does: is another service on that port?"
    return f"the server does not offer TLS, which sslmode={mode} requires"


async def _tls_reply(target: ConnectionTarget, within_seconds: float) -> bytes | None:
    """The first byte the server answers a PostgreSQL SSLRequest with; None if unknown."""
    try:
        async with asyncio.timeout(min(within_seconds, 5.0)):
            reader, writer = await asyncio.open_connection(target.host, target.ports[0])
            try:
                writer.write(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")  # SSLRequest
                await writer.drain()
                return await reader.read(1)
            finally:
                writer.close()
    except (OSError, TimeoutError, DsnError):
        return None


def _safe_line(exc: BaseException, target: ConnectionTarget) -> str:
    """The exception's first line, scrubbed of the password (it never should hold it)."""
    return scrub(_first_line(exc), target.password)


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
    """Arguments shared by asyncpg.connect and asyncpg.create_pool.

    The connection is described by keywords resolved here, as libpq resolves them (see
    `ehgtui.db.settings`), rather than by the DSN: asyncpg's DSN parser knows neither keyword
    DSNs nor PGSERVICE, and splits a raw `@` in a password differently from us.

    Raises:
        TlsSetupError: the TLS settings cannot be honoured (e.g. a missing root certificate).
    """
    settings = target.settings
    hosts = target.hosts
    kwargs: dict[str, Any] = {
        "host": hosts or None,
        "port": target.ports if hosts else target.ports[0],
        "user": target.user,
        "password": target.password,
        "database": target.database,
        "passfile": settings.get("passfile"),
        "timeout": timeout,
        "connection_class": PoolerSafeConnection,
        "statement_cache_size": 0,
        "server_settings": _server_settings(settings) | {"application_name": APPLICATION_NAME},
        **tls.driver_arguments(target.sslmode, settings),
    }
    for key in ("target_session_attrs", "krbsrvname", "gsslib"):
        if settings.get(key):
            kwargs[key] = settings[key]
    if settings.get("sslnegotiation") == "direct":
        kwargs["direct_tls"] = True
    return kwargs


def _server_settings(settings: Mapping[str, str]) -> dict[str, str]:
    """Startup parameters: libpq's `options` and `client_encoding`, and URL query parameters
    libpq does not know (asyncpg's convention: `?search_path=app` sets search_path)."""
    passed = {k: v for k, v in settings.items() if k not in conninfo.KEYWORDS}
    for key in ("options", "client_encoding"):
        if settings.get(key):
            passed[key] = settings[key]
    return passed


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
    try:
        kwargs = connect_kwargs(target, connect_timeout)
    except (TlsSetupError, DsnError) as exc:
        raise ConnectError(f"{exc} ({target.masked})") from None
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
        probe = _rejected_tls(exc) or _closed_during_startup(exc)
        reply = await _tls_reply(target, connect_timeout) if probe else None
        raise ConnectError(describe_connect_error(exc, target, connect_timeout, reply)) from None
    except ValueError as exc:  # asyncpg's checks of the arguments
        raise ConnectError(f"invalid connection settings: {_safe_line(exc, target)}") from None
    assert pool is not None
    return pool


async def _no_reset(_conn: asyncpg.Connection) -> None:
    """Skip asyncpg's reset on release (a round trip each time).

    Our sessions never change session state: everything runs in transactions that roll back,
    and role or setting changes are `SET LOCAL`, which end with them.
    """


AnyConnection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
"""A connection, or the pool's proxy for one (which forwards every Connection method)."""


async def fetch_read_only(
    pool: asyncpg.Pool, sql: str, *args: Any, conn: PoolConnectionProxy | None = None
) -> list[asyncpg.Record]:
    """Run one query in a READ ONLY transaction and return its rows as soon as they arrive.

    The rollback and the release happen in the background: the rows are already ours, and
    waiting for one more round trip would add its latency to every catalog load.

    Args:
        pool: The pool the connection comes from and goes back to.
        sql: The query.
        *args: Its parameters.
        conn: A connection already taken from `pool` (see `acquire_batch`) to run it on,
            released here like one this takes itself.
    """
    if conn is None:
        conn = await pool.acquire()
    tx = conn.transaction(readonly=True, isolation="repeatable_read")
    try:
        await tx.start()
        rows = list(await conn.fetch(sql, *args))
    except BaseException:
        await _finish(pool, conn, tx)
        raise
    _in_background(_finish(pool, conn, tx), releasing=pool)
    return rows


class ConnectionBatch:
    """Connections taken from a pool together, handed out by position, in the same order
    every time (by server process id).

    Each PostgreSQL backend caches the catalog rows it has read. A catalog load that sends
    each of its queries to the backend that ran that query the time before finds those
    caches warm; through the pool's own order the queries land on other backends each time.
    Measured on the demo schema, the next load on the same pool: 0.21 s → 0.12 s.
    """

    def __init__(self, pool: asyncpg.Pool, connections: list[PoolConnectionProxy]) -> None:
        self._pool = pool
        self._untaken: dict[int, PoolConnectionProxy] = dict(enumerate(connections))

    def take(self, position: int) -> PoolConnectionProxy | None:
        """The connection at `position`, now the taker's to release; None when the batch is
        empty or closed, or that one was taken already (the taker then acquires its own)."""
        return self._untaken.pop(position, None)

    def close(self) -> None:
        """Give back every connection nobody took (in the background)."""
        untaken, self._untaken = self._untaken, {}
        for conn in untaken.values():
            _in_background(self._pool.release(conn), releasing=self._pool)


async def acquire_batch(pool: asyncpg.Pool, count: int) -> ConnectionBatch:
    """Take `count` connections from the pool at once (opening missing ones side by side).

    An empty batch when the pool cannot spare that many right now (another user holds one,
    or it is smaller): its takers then acquire their own as they start, as before batches.
    A batch that waited for the rest of the pool would keep the connections it got idle;
    connections still on their way back from an earlier load (a rollback in the background)
    count as spare, as nothing can hold them up.
    Two batches cannot each hold part of the pool and wait for each other: a batch's
    acquisitions are queued together, and asyncio's queue serves waiters in order.

    Raises:
        Whatever acquiring a connection raises, once every connection taken is given back.
    """
    spare = (
        pool.get_idle_size()
        + pool.get_max_size()
        - pool.get_size()
        + len(_returning.get(id(pool), ()))
    )
    if spare < count:
        return ConnectionBatch(pool, [])
    tasks = [asyncio.ensure_future(pool.acquire()) for _ in range(count)]
    try:
        await asyncio.wait(tasks)
    except BaseException:  # cancelled: nothing may stay taken
        _give_back(pool, tasks)
        raise
    errors = [e for t in tasks if not t.cancelled() and (e := t.exception()) is not None]
    if errors:
        _give_back(pool, tasks)
        raise errors[0]
    connections = sorted((t.result() for t in tasks), key=lambda c: c.get_server_pid())
    return ConnectionBatch(pool, connections)


def _give_back(pool: asyncpg.Pool, tasks: Sequence[asyncio.Future[PoolConnectionProxy]]) -> None:
    """Release what the acquisitions got; stop those still running."""
    for task in tasks:
        if not task.done():
            task.cancel()
            task.add_done_callback(_retrieve)
        elif not task.cancelled() and task.exception() is None:
            _in_background(pool.release(task.result()), releasing=pool)


def _in_background(work: Coroutine[Any, Any, Any], releasing: asyncpg.Pool) -> None:
    """Run `work`, which gives a connection back to `releasing`, without waiting for it."""
    task = asyncio.ensure_future(work)
    returning = _returning.setdefault(id(releasing), set())
    returning.add(task)

    def done(task: asyncio.Future[Any]) -> None:
        returning.discard(task)
        if not returning and _returning.get(id(releasing)) is returning:
            del _returning[id(releasing)]
        _retrieve(task)

    task.add_done_callback(done)


_returning: dict[int, set[asyncio.Future[Any]]] = {}
"""Background rollbacks and releases in flight, by the `id` of the pool they give a
connection back to: kept referenced so they are not garbage collected, and counted by a batch
as spare connections."""


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark the outcome of work nobody waits for as seen (a release on a pool closed
    meanwhile fails, and asyncio would log "exception was never retrieved")."""
    if not task.cancelled():
        task.exception()


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


@asynccontextmanager
async def read_only_clearing_session(pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    """Like `read_only`, for statements built from text the user typed: the connection goes
    back to the pool holding nothing the statement left in the session (advisory locks,
    prepared statements, dblink connections…: see `ehgtui.db.session_state`).

    The same round trips as `read_only`: BEGIN and the savepoint go in one message, the
    clearing and the ROLLBACK in another. When clearing fails the connection is cut, so that
    what it holds ends with its backend.
    """
    async with pool.acquire() as conn:
        await conn.execute(BEGIN_CLEARABLE_SQL)
        try:
            yield conn
        finally:
            if not conn.is_closed():
                try:
                    await conn.execute(CLEAR_SESSION_SQL)
                except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                    conn.terminate()


POOL_CLOSE_TIMEOUT_SECONDS = 3.0
"""How long a clean pool close may take (on exit, or when a newer pool replaces it) before
its connections are cut."""


async def close_quietly(pool: asyncpg.Pool) -> None:
    """Close a pool, terminating its connections if a clean close fails or takes too long."""
    try:
        await asyncio.wait_for(pool.close(), POOL_CLOSE_TIMEOUT_SECONDS)
    except (TimeoutError, asyncpg.PostgresError, OSError):
        pool.terminate()
