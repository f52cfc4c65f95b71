"""Read-only sessions: a connection inside a READ ONLY transaction that is always rolled back.

`read_only` for the statements ehgtui writes; `read_only_clearing_session` for statements built
from text the user typed, which also clears what such a statement can leave in the session.
A network failure inside either is raised as one line (`failures.connection_failure`), and
the connection is cut rather than rolled back when it cannot be trusted any more.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from ehgtui.db.failures import connection_failure
from ehgtui.db.session_state import BEGIN_CLEARABLE_SQL, CLEAR_SESSION_SQL


def breaks_connection(exc: BaseException) -> bool:
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
        terminate(conn)


def usable(conn: PoolConnectionProxy) -> bool:
    """True while conn is still attached to its pool and open.

    The pool detaches the proxy the moment the server ends its connection, and every method
    of a detached proxy raises `InterfaceError: … released back to the pool`.
    """
    try:
        return not conn.is_closed()
    except asyncpg.InterfaceError:
        return False


def terminate(conn: PoolConnectionProxy) -> None:
    """Close conn at once, without a round trip (nothing when it is gone already)."""
    try:
        conn.terminate()
    except asyncpg.InterfaceError:
        pass


Ending = Callable[[], Awaitable[object]]
"""How a session's transaction ends once its caller is done (rollback, or clear and roll back)."""


async def _begin_read_only(conn: PoolConnectionProxy) -> Ending:
    tx = conn.transaction(readonly=True, isolation="repeatable_read")
    await tx.start()
    return tx.rollback


async def _begin_clearable(conn: PoolConnectionProxy) -> Ending:
    await conn.execute(BEGIN_CLEARABLE_SQL)

    async def clear() -> None:
        try:
            await conn.execute(CLEAR_SESSION_SQL)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError):
            terminate(conn)  # what the session holds ends with its backend

    return clear


@asynccontextmanager
async def _session(
    pool: asyncpg.Pool, begin: Callable[[PoolConnectionProxy], Awaitable[Ending]]
) -> AsyncIterator[PoolConnectionProxy]:
    """A pooled connection in the transaction `begin` opens, ended as `begin` says; cut
    instead when the caller's statement broke it, ended within a bound when it was
    cancelled; network failures raised as one line."""
    try:
        async with pool.acquire() as conn:
            end = await begin(conn)
            broken = cancelled = False
            try:
                yield conn
            except asyncio.CancelledError:
                cancelled = True
                raise
            except BaseException as exc:
                broken = breaks_connection(exc)
                raise
            finally:
                if broken or not usable(conn):
                    terminate(conn)
                elif cancelled:
                    await _end_after_cancel(conn, end)
                else:
                    await end()
    except Exception as exc:
        failure = connection_failure(exc, pool)
        if failure is None:
            raise
        raise failure from None


@asynccontextmanager
async def read_only(pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    """Yield a connection inside a READ ONLY transaction that is always rolled back.

    Raises:
        ServerTimeoutError, ConnectionLostError, NoConnectionSlotError: the network failed,
            here or in a statement of the caller's (one line); the connection is closed.
        Whatever else the caller's statements raised.
    """
    async with _session(pool, _begin_read_only) as conn:
        yield conn


@asynccontextmanager
async def read_only_clearing_session(pool: asyncpg.Pool) -> AsyncIterator[PoolConnectionProxy]:
    """Like `read_only`, for statements built from text the user typed: the connection goes
    back to the pool holding nothing the statement left in the session (advisory locks,
    prepared statements, dblink connections…: see `ehgtui.db.session_state`).

    The same round trips as `read_only`: BEGIN and the savepoint go in one message, the
    clearing and the ROLLBACK in another. When clearing fails the connection is cut, so that
    what it holds ends with its backend. Network failures are raised as `read_only` raises them.
    """
    async with _session(pool, _begin_clearable) as conn:
        yield conn
