"""The asyncpg pool, and the read-only transaction every catalog query runs in.

No server-side statement cache (`statement_cache_size=0`), so Supabase's pooler in transaction
mode (and PgBouncer) work: a prepared statement never has to survive its transaction.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from ehgtui.db import conninfo, tls
from ehgtui.db.connect_errors import connect_failure, safe_line
from ehgtui.db.failures import ConnectError, connection_failure, first_line
from ehgtui.db.read_only_session import breaks_connection, terminate, usable
from ehgtui.db.settings import (
    DEFAULT_COMMAND_TIMEOUT_SECONDS,
    DEFAULT_CONNECT_TIMEOUT_SECONDS,
    ConnectionTarget,
    DsnError,
)
from ehgtui.db.tls import TlsSetupError

APPLICATION_NAME = "ehgtui"
"""Shown in pg_stat_activity, so a DBA can tell our sessions apart."""

POOL_MAX_SIZE = 12
"""Enough connections for the catalog's bulk queries to run side by side (one each:
`catalog.queries.QUERIES_PER_LOAD`)."""

KEEPALIVE_IDLE_SECONDS = 10
"""Seconds a connection may be silent before the kernel probes the peer (TCP keepalive)."""
KEEPALIVE_INTERVAL_SECONDS = 5
"""Seconds between unanswered keepalive probes."""
KEEPALIVE_PROBES = 3
"""Unanswered probes after which the kernel declares the connection dead."""


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


def connect_kwargs(
    target: ConnectionTarget,
    timeout: float,
    command_timeout: float | None = DEFAULT_COMMAND_TIMEOUT_SECONDS,
) -> dict[str, Any]:
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
        "command_timeout": command_timeout,
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


def keep_alive(conn: asyncpg.Connection, command_timeout: float | None) -> None:
    """Turn on TCP keepalives (and bound unacknowledged writes) on conn's socket.

    A peer that vanished (host down, NAT entry dropped, cable pulled) is then noticed by the
    kernel within about `KEEPALIVE_IDLE + INTERVAL * PROBES` seconds even while no statement
    runs, and a write nobody acknowledges fails after the command timeout
    (`TCP_USER_TIMEOUT`). Unix sockets need neither.
    """
    transport = getattr(conn, "_transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    options = [(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)]
    for name, value in (
        ("TCP_KEEPIDLE", KEEPALIVE_IDLE_SECONDS),
        ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL_SECONDS),
        ("TCP_KEEPCNT", KEEPALIVE_PROBES),
        ("TCP_USER_TIMEOUT", round((command_timeout or 0) * 1000)),
    ):
        if hasattr(socket, name) and value:
            options.append((socket.IPPROTO_TCP, getattr(socket, name), value))
    for level, option, value in options:
        try:
            sock.setsockopt(level, option, value)
        except OSError:  # a platform without that option: the others still help
            pass


def notify(pool: asyncpg.Pool, message: str) -> None:
    """Tell the pool's user something worth knowing about a load (one line): see
    `create_pool(on_notice=...)`; nothing when nobody asked."""
    callback = _notice_callbacks.get(id(pool))
    if callback is not None:
        callback(message)


_notice_callbacks: dict[int, Callable[[str], None]] = {}
"""`create_pool(on_notice=...)` by the `id` of the pool."""


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
    command_timeout: float | None = DEFAULT_COMMAND_TIMEOUT_SECONDS,
    on_notice: Callable[[str], None] | None = None,
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
        command_timeout: Seconds one statement may wait for the server's answer (None: no
            bound); a statement that times out raises ServerTimeoutError and its connection
            is closed.
        on_notice: Called with one line when a load works around the server (fewer
            connection slots than it wanted): slower, not failed.
    """
    connect_timeout = target.connect_timeout or connect_timeout
    try:
        kwargs = connect_kwargs(target, connect_timeout, command_timeout)
    except (TlsSetupError, DsnError) as exc:
        raise ConnectError(f"{exc} ({target.masked})") from None
    callback = on_connection_lost

    async def prepare(conn: asyncpg.Connection) -> None:
        keep_alive(conn, command_timeout)
        if callback is not None:
            conn.add_termination_listener(lambda _conn: callback())

    kwargs["init"] = prepare
    if on_connection_lost is not None:
        kwargs["max_inactive_connection_lifetime"] = 0
    try:
        async with asyncio.timeout(connect_timeout + 1):
            pool = await asyncpg.create_pool(
                min_size=1, max_size=max_size, reset=_no_reset, **kwargs
            )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        raise await connect_failure(exc, target, connect_timeout) from None
    except ValueError as exc:  # asyncpg's checks of the arguments
        raise ConnectError(f"invalid connection settings: {safe_line(exc, target)}") from None
    assert pool is not None
    _notice_callbacks.pop(id(pool), None)  # a closed pool's, at the same address
    if on_notice is not None:
        _notice_callbacks[id(pool)] = on_notice
    return pool


async def _no_reset(_conn: asyncpg.Connection) -> None:
    """Skip asyncpg's reset on release (a round trip each time).

    Our sessions never change session state: everything runs in transactions that roll back,
    and role or setting changes are `SET LOCAL`, which end with them.
    """


AnyConnection: TypeAlias = asyncpg.Connection | PoolConnectionProxy
"""A connection, or the pool's proxy for one (which forwards every Connection method)."""


GiveBack: TypeAlias = Callable[[PoolConnectionProxy], None]
"""Where a connection goes after its statement, instead of straight back to the pool."""


async def fetch_read_only(
    pool: asyncpg.Pool,
    sql: str,
    *args: Any,
    conn: PoolConnectionProxy | None = None,
    give_back: GiveBack | None = None,
    empty_search_path: bool = False,
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
        give_back: Called with the connection once its transaction ended, instead of
            releasing it to the pool (a batch lending its connections in turn).
        empty_search_path: Run it with pg_dump's empty search_path (`CATALOG_TRANSACTION`),
            as the catalog queries do, so that the server's texts come schema-qualified.

    Raises:
        ServerTimeoutError, ConnectionLostError, NoConnectionSlotError: the network failed
            (one line); the connection is closed, not rolled back.
        Whatever else the query raised (asyncpg.PostgresError).
    """
    try:
        if conn is None:
            conn = await pool.acquire()
        tx = _ReadOnlyTransaction(conn, empty_search_path)
        try:
            await tx.start()
            rows = list(await conn.fetch(sql, *args))
        except BaseException as exc:
            await _finish(pool, conn, tx, give_back, broken=breaks_connection(exc))
            raise
    except Exception as exc:
        failure = connection_failure(exc, pool)
        if failure is None:
            raise
        raise failure from None
    _in_background(_finish(pool, conn, tx, give_back), releasing=pool)
    return rows


READ_ONLY_TRANSACTION = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
"""How `fetch_read_only` begins its transaction (one snapshot, no writes)."""

CATALOG_TRANSACTION = f"{READ_ONLY_TRANSACTION}; SET LOCAL search_path = ''"
"""How a catalog query's transaction begins: read-only, and with an empty search_path, as
pg_dump runs (`set_config('search_path', '', false)`), so that every text the server prints
(`format_type()`, `pg_get_expr()`, `pg_get_constraintdef()`, `pg_get_triggerdef()`,
`pg_get_indexdef()`, `pg_get_viewdef()`, `pg_get_functiondef()`) names each object outside
`pg_catalog` with its schema: `public.sd_status`, `nextval('public.t_id_seq'::regclass)`,
`REFERENCES public.organizations(id)`. The DDL built from them then applies whatever the
search_path it runs under, and equals pg_dump's. Both statements go in one simple-protocol
message (one round trip, as asyncpg's own BEGIN), and SET LOCAL ends with the transaction."""


class _ReadOnlyTransaction:
    """The transaction of one `fetch_read_only` query, ended by `rollback`."""

    __slots__ = ("_conn", "_empty_search_path")

    def __init__(self, conn: AnyConnection, empty_search_path: bool) -> None:
        self._conn = conn
        self._empty_search_path = empty_search_path

    async def start(self) -> None:
        begin = CATALOG_TRANSACTION if self._empty_search_path else READ_ONLY_TRANSACTION
        await self._conn.execute(begin)

    async def rollback(self) -> None:
        await self._conn.execute("ROLLBACK")


class ConnectionBatch:
    """Connections taken from a pool together for one load.

    A whole batch (one connection per query) hands them out by position, in the same order
    every time (by server process id). Each PostgreSQL backend caches the catalog rows it has
    read. A catalog load that sends each of its queries to the backend that ran that query
    the time before finds those caches warm; through the pool's own order the queries land
    on other backends each time. Measured on the demo schema, the next load on the same
    pool: 0.21 s → 0.12 s.

    A short batch (fewer connections than queries: a small pool, one in use elsewhere, or a
    server with few free connection slots) lends its connections in turn: each query waits
    for one to come free (`lend`) and gives it back to the batch (`give_back`), so the load
    never asks the pool, or the server, for a connection it could not have.
    """

    def __init__(
        self, pool: asyncpg.Pool, connections: list[PoolConnectionProxy], wanted: int
    ) -> None:
        self._pool = pool
        self.size = len(connections)
        """How many connections the batch holds."""
        self.short = len(connections) < wanted
        """True when the queries share the connections instead of one each."""
        self._untaken: dict[int, PoolConnectionProxy] = {}
        self._free: asyncio.Queue[PoolConnectionProxy] = asyncio.Queue()
        self._closed = False
        for position, conn in enumerate(connections):
            if self.short:
                self._free.put_nowait(conn)
            else:
                self._untaken[position] = conn

    def take(self, position: int) -> PoolConnectionProxy | None:
        """The connection at `position` of a whole batch, now the taker's to release; None
        when the batch is short or closed, or that one was taken already."""
        return self._untaken.pop(position, None)

    async def lend(self) -> PoolConnectionProxy:
        """A short batch's next free connection (waits for one); hand it to `give_back`."""
        return await self._free.get()

    def give_back(self, conn: PoolConnectionProxy) -> None:
        """Take back a lent connection (to the pool when the batch is closed already)."""
        if self._closed:
            _in_background(self._pool.release(conn), releasing=self._pool)
        else:
            self._free.put_nowait(conn)

    def close(self) -> None:
        """Give back every connection nobody took or borrowed (in the background)."""
        self._closed = True
        left = list(self._untaken.values())
        self._untaken = {}
        while not self._free.empty():
            left.append(self._free.get_nowait())
        for conn in left:
            _in_background(self._pool.release(conn), releasing=self._pool)


async def acquire_batch(pool: asyncpg.Pool, count: int) -> ConnectionBatch:
    """Take up to `count` connections from the pool at once (opening missing ones side by side).

    A whole batch when the pool can spare `count` now; otherwise a short batch of what it can
    spare (at least one, waited for): a batch that waited for the rest of the pool would keep
    the connections it got idle. Connections still on their way back from an earlier load (a
    rollback in the background) count as spare, as nothing can hold them up.
    When the server refuses some of the new connections (no free slot: `max_connections`,
    reserved slots, a busy pooler) the batch is short by those, and the pool's user is told
    (`notify`) that the load is slower for it; only when it refuses every one does this fail.
    Two batches cannot each hold part of the pool and wait for each other: a batch's
    acquisitions are queued together, and asyncio's queue serves waiters in order.

    Raises:
        NoConnectionSlotError when not one connection could be opened, or whatever else
        acquiring a connection raised (translated as `connection_failure` does), once every
        connection taken is given back.
    """
    spare = (
        pool.get_idle_size()
        + pool.get_max_size()
        - pool.get_size()
        + len(_returning.get(id(pool), ()))
    )
    wanted = max(1, min(count, spare))
    tasks = [asyncio.ensure_future(pool.acquire()) for _ in range(wanted)]
    try:
        await asyncio.wait(tasks)
    except BaseException:  # cancelled: nothing may stay taken
        _give_back(pool, tasks)
        raise
    errors = [e for t in tasks if not t.cancelled() and (e := t.exception()) is not None]
    got = [t.result() for t in tasks if not t.cancelled() and t.exception() is None]
    refused = [e for e in errors if isinstance(e, asyncpg.TooManyConnectionsError)]
    if errors and (len(refused) < len(errors) or not got):
        _give_back(pool, tasks)
        failure = connection_failure(errors[0], pool)
        raise (failure or errors[0]) from None
    if refused:
        notify(
            pool,
            f"the server has too few free connection slots ({first_line(refused[0])}): "
            f"loading the catalog on {len(got)} connection{'s' if len(got) != 1 else ''} "
            f"instead of {count}, which is slower",
        )
    connections = sorted(got, key=_server_pid)
    return ConnectionBatch(pool, connections, count)


def _server_pid(conn: PoolConnectionProxy) -> int:
    """The backend's process id; 0 for a connection lost (and detached) meanwhile."""
    try:
        return int(conn.get_server_pid())
    except asyncpg.InterfaceError:
        return 0


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


async def _finish(
    pool: asyncpg.Pool,
    conn: PoolConnectionProxy,
    tx: Any,
    give_back: GiveBack | None = None,
    broken: bool = False,
) -> None:
    try:
        if broken or not usable(conn):
            terminate(conn)
        else:
            await tx.rollback()
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
        terminate(conn)
    finally:
        if give_back is not None:
            give_back(conn)
        else:
            await pool.release(conn)


POOL_CLOSE_TIMEOUT_SECONDS = 3.0
"""How long a clean pool close may take (on exit, or when a newer pool replaces it) before
its connections are cut."""


async def close_quietly(pool: asyncpg.Pool) -> None:
    """Close a pool, terminating its connections if a clean close fails or takes too long."""
    _notice_callbacks.pop(id(pool), None)
    try:
        await asyncio.wait_for(pool.close(), POOL_CLOSE_TIMEOUT_SECONDS)
    except (TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        pool.terminate()
