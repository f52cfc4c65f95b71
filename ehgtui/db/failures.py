"""What a network failure of a statement means, in one line: lost, timed out, no slot.

asyncpg reports a connection that went away in many shapes (class 08 errors, 57P0x, bare
`InterfaceError`s whose words say "closed", futures it never retrieves); `connection_failure`
turns each into one of the errors below, and leaves every other error alone.
"""

from __future__ import annotations

import asyncio

import asyncpg


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
        return NoConnectionSlotError(f"no free connection slot on the server: {first_line(exc)}")
    if isinstance(exc, LOSS_ERRORS):
        if isinstance(exc, asyncpg.PostgresError) and not isinstance(
            exc, asyncpg.ConnectionDoesNotExistError
        ):
            return ConnectionLostError(f"connection lost: {first_line(exc)}")
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


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
