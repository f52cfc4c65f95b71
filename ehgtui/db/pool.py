"""The asyncpg pool, and the read-only transaction every catalog query runs in.

No server-side statement cache (`statement_cache_size=0`), so Supabase's pooler in transaction
mode (and PgBouncer) work: a prepared statement never has to survive its transaction.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from ehgtui.db import conninfo, tls
from ehgtui.db.settings import DEFAULT_CONNECT_TIMEOUT_SECONDS, ConnectionTarget, DsnError, scrub
from ehgtui.db.tls import TlsSetupError

APPLICATION_NAME = "ehgtui"
"""Shown in pg_stat_activity, so a DBA can tell our sessions apart."""

POOL_MAX_SIZE = 8
"""Enough connections for the catalog's bulk queries to run side by side."""

DEFAULT_COMMAND_TIMEOUT_SECONDS = 30.0
"""How long one statement may wait for the server's answer once connected (`--timeout`).

Without a bound, a server that stops answering (a stalled proxy or VPN, a frozen host) holds
every command until the network gives up, minutes later; a catalog load takes well under a
second, so 30 s only ever cuts off a server that is not answering."""

KEEPALIVE_IDLE_SECONDS = 10
"""Seconds a connection may be silent before the kernel probes the peer (TCP keepalive)."""
KEEPALIVE_INTERVAL_SECONDS = 5
"""Seconds between unanswered keepalive probes."""
KEEPALIVE_PROBES = 3
"""Unanswered probes after which the kernel declares the connection dead."""


class ConnectError(RuntimeError):
    """The server could not be reached or refused us; the message is one line, DSN masked."""


class ConnectionLostError(ConnectError):
    """A connection ended under a statement (terminated, server restarted, network gone)."""


class ServerTimeoutError(ConnectError):
    """The server did not answer a statement within the command timeout; the connection is
    closed (a later statement opens a new one)."""


class NoConnectionSlotError(ConnectError):
    """The server refused even one more connection (`too many clients`, reserved slots)."""


LOSS_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # class 08: connection exception, incl. "does not exist"
    asyncpg.AdminShutdownError,  # 57P01: pg_terminate_backend, or a fast shutdown
    asyncpg.CrashShutdownError,  # 57P02
    asyncpg.CannotConnectNowError,  # 57P03: starting up or shutting down
    ConnectionError,  # reset, refused, broken pipe
)
"""Errors that mean the connection is gone, not that the statement was wrong.

Not the whole of class 57 (operator intervention): `QueryCanceledError` (a statement timeout)
belongs to it, and a timeout leaves the connection alive.
"""

_LOST_WORDS = ("closed", "closing", "released back to the pool", "connection was lost")
"""What asyncpg's bare `InterfaceError` says when the connection (or its pool) went away
under it; the same class also reports programming mistakes, which must not be hidden."""


def connection_failure(exc: BaseException, pool: asyncpg.Pool | None = None) -> ConnectError | None:
    """The one-line error a network failure of a statement means, or None for other errors.

    Args:
        exc: What a statement, an acquisition or a release raised.
        pool: The pool it ran on: names the command timeout in the message.

    Returns:
        ServerTimeoutError, ConnectionLostError or NoConnectionSlotError (each one line, no
        asyncpg wording), `exc` itself when it is a ConnectError already, else None.
    """
    if isinstance(exc, ConnectError):
        return exc
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        limit = timeout_of(pool)
        within = f" within {limit:g}s" if limit else ""
        return ServerTimeoutError(
            f"timed out: the server did not answer{within} "
            "(set a longer limit with --timeout or EHGTUI_TIMEOUT)"
        )
    if isinstance(exc, asyncpg.TooManyConnectionsError):
        return NoConnectionSlotError(f"no free connection slot on the server: {_first_line(exc)}")
    if isinstance(exc, LOSS_ERRORS):
        if isinstance(exc, asyncpg.PostgresError) and not isinstance(
            exc, asyncpg.ConnectionDoesNotExistError
        ):
            return ConnectionLostError(f"connection lost: {_first_line(exc)}")
        return ConnectionLostError("connection lost: the server closed the connection")
    if isinstance(exc, asyncpg.InternalClientError) and _ERROR_CONSUME in str(exc):
        # the server's FATAL "terminating connection" arrived while the connection sat idle
        # in the pool, and the socket's end is not seen yet: asyncpg is still waiting for the
        # end of that error when the next statement starts
        return ConnectionLostError("connection lost: the server closed the connection")
    if isinstance(exc, asyncpg.InterfaceError | OSError):
        text = str(exc).lower()
        if isinstance(exc, OSError) or any(words in text for words in _LOST_WORDS):
            return ConnectionLostError("connection lost: the server closed the connection")
    return None


_ERROR_CONSUME = "another operation (2) is in progress"
"""asyncpg's words for a statement started while its protocol consumes an error (state 2)."""


def timeout_of(pool: asyncpg.Pool | None) -> float | None:
    """The command timeout `pool` was opened with (None: unknown or unbounded)."""
    kwargs = getattr(pool, "_connect_kwargs", None)
    value = kwargs.get("command_timeout") if isinstance(kwargs, dict) else None
    return float(value) if value else None


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
        probe = _rejected_tls(exc) or _closed_during_startup(exc)
        reply = await _tls_reply(target, connect_timeout) if probe else None
        raise ConnectError(describe_connect_error(exc, target, connect_timeout, reply)) from None
    except ValueError as exc:  # asyncpg's checks of the arguments
        raise ConnectError(f"invalid connection settings: {_safe_line(exc, target)}") from None
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

    Raises:
        ServerTimeoutError, ConnectionLostError, NoConnectionSlotError: the network failed
            (one line); the connection is closed, not rolled back.
        Whatever else the query raised (asyncpg.PostgresError).
    """
    try:
        if conn is None:
            conn = await pool.acquire()
        tx = conn.transaction(readonly=True, isolation="repeatable_read")
        try:
            await tx.start()
            rows = list(await conn.fetch(sql, *args))
        except BaseException as exc:
            await _finish(pool, conn, tx, give_back, broken=_breaks_connection(exc))
            raise
    except Exception as exc:
        failure = connection_failure(exc, pool)
        if failure is None:
            raise
        raise failure from None
    _in_background(_finish(pool, conn, tx, give_back), releasing=pool)
    return rows


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
            f"the server has too few free connection slots ({_first_line(refused[0])}): "
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


def _breaks_connection(exc: BaseException) -> bool:
    """Whether a statement that raised exc left its connection unfit for a rollback.

    A timed-out or cancelled statement is still being cancelled on the server (asyncpg waits
    for that before the next statement, and on a server that stopped answering it never
    comes); a lost connection has nothing to roll back. Such a connection is closed.
    """
    if isinstance(exc, asyncio.CancelledError | TimeoutError | asyncio.TimeoutError):
        return True
    return connection_failure(exc) is not None


CANCEL_WAIT_SECONDS = 5.0
"""How long a session whose statement its caller cancelled waits for the server to stop it."""


async def _end_after_cancel(
    conn: PoolConnectionProxy, end: Callable[[], Awaitable[object]]
) -> None:
    """End the transaction of a statement our caller cancelled (ctrl+c in the query pad).

    asyncpg sends the server a cancel request for it; ending the transaction waits for that,
    so the server stops working on the statement. Cutting the connection at once would not:
    asyncpg drops the pending cancel request, and a backend that sends nothing (a long
    count) notices its client gone only when it finishes. A server that does not answer
    within CANCEL_WAIT_SECONDS gets its connection cut.
    """
    try:
        await asyncio.wait_for(end(), CANCEL_WAIT_SECONDS)
    except (TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        _terminate(conn)


def _usable(conn: PoolConnectionProxy) -> bool:
    """True while conn is still attached to its pool and open.

    The pool detaches the proxy the moment the server ends its connection, and every method
    of a detached proxy raises `InterfaceError: … released back to the pool`.
    """
    try:
        return not conn.is_closed()
    except asyncpg.InterfaceError:
        return False


def _terminate(conn: PoolConnectionProxy) -> None:
    """Close conn at once, without a round trip (nothing when it is gone already)."""
    try:
        conn.terminate()
    except asyncpg.InterfaceError:
        pass


async def _finish(
    pool: asyncpg.Pool,
    conn: PoolConnectionProxy,
    tx: Any,
    give_back: GiveBack | None = None,
    broken: bool = False,
) -> None:
    try:
        if broken or not _usable(conn):
            _terminate(conn)
        else:
            await tx.rollback()
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
        _terminate(conn)
    finally:
        if give_back is not None:
            give_back(conn)
        else:
            await pool.release(conn)


@asynccontextmanager
async def read_only(pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    """Yield a connection inside a READ ONLY transaction that is always rolled back.

    Raises:
        ServerTimeoutError, ConnectionLostError, NoConnectionSlotError: the network failed,
            here or in a statement of the caller's (one line); the connection is closed.
        Whatever else the caller's statements raised.
    """
    try:
        async with pool.acquire() as conn:
            tx = conn.transaction(readonly=True, isolation="repeatable_read")
            await tx.start()
            broken = cancelled = False
            try:
                yield conn
            except asyncio.CancelledError:
                cancelled = True
                raise
            except BaseException as exc:
                broken = _breaks_connection(exc)
                raise
            finally:
                if broken or not _usable(conn):
                    _terminate(conn)
                elif cancelled:
                    await _end_after_cancel(conn, tx.rollback)
                else:
                    await tx.rollback()
    except Exception as exc:
        failure = connection_failure(exc, pool)
        if failure is None:
            raise
        raise failure from None


_SESSION_SAVEPOINT = "ehgtui_session_start"
"""Set right after BEGIN, so that the session can be cleared even when the query failed and
left the transaction aborted."""

_BEGIN_CLEARABLE_SQL = (
    f"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SAVEPOINT {_SESSION_SAVEPOINT}"
)

CLEAR_SESSION_SQL = (
    f"ROLLBACK TO SAVEPOINT {_SESSION_SAVEPOINT}; "
    "SELECT pg_catalog.pg_advisory_unlock_all() WHERE pg_catalog.has_function_privilege("
    "'pg_catalog.pg_advisory_unlock_all()', 'EXECUTE'); "
    "ROLLBACK"
)
"""What a read-only transaction can leave behind once rolled back, cleared inside it.

A ROLLBACK undoes session settings (`set_config(…, false)`, `SET SESSION`), LISTEN, cursors
WITH HOLD and prepared statements made in the transaction; a read-only transaction cannot
create temporary tables or write sequences. Session-level advisory locks are the one thing
that outlives it, so they are released here, before the ROLLBACK and in the same message, so
that through PgBouncer in transaction mode the unlock reaches the server connection that holds
the locks (a statement after the ROLLBACK may go to another one). Rolling back to the
savepoint first ends an aborted state and a `SET LOCAL ROLE`: the login role unlocks."""


@asynccontextmanager
async def read_only_clearing_session(pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    """Like `read_only`, for statements built from text the user typed: the connection goes
    back to the pool holding no advisory lock, whatever the statement did (CLEAR_SESSION_SQL).

    The same round trips as `read_only`: BEGIN and the savepoint go in one message, the
    clearing and the ROLLBACK in another. When clearing fails the connection is cut, so that
    what it holds ends with its backend. Network failures are raised as `read_only` raises them.
    """
    try:
        async with pool.acquire() as conn:
            await conn.execute(_BEGIN_CLEARABLE_SQL)
            broken = cancelled = False
            try:
                yield conn
            except asyncio.CancelledError:
                cancelled = True
                raise
            except BaseException as exc:
                broken = _breaks_connection(exc)
                raise
            finally:
                if broken or not _usable(conn):
                    _terminate(conn)
                elif cancelled:
                    await _end_after_cancel(conn, lambda: conn.execute(CLEAR_SESSION_SQL))
                else:
                    try:
                        await conn.execute(CLEAR_SESSION_SQL)
                    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
                        _terminate(conn)
    except Exception as exc:
        failure = connection_failure(exc, pool)
        if failure is None:
            raise
        raise failure from None


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
