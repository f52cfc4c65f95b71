"""Why a connection attempt failed, in one line that names the problem and holds no secret."""

from __future__ import annotations

import asyncio
import socket
import ssl

import asyncpg

from ehgtui.db.failures import ConnectError, first_line
from ehgtui.db.settings import ConnectionTarget, DsnError, scrub


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
        message = f"authentication failed: {safe_line(exc, target)}"
    elif isinstance(exc, asyncpg.ClientConfigurationError):
        message = f"invalid connection settings: {safe_line(exc, target)}"
    elif isinstance(exc, asyncpg.InvalidCatalogNameError):
        message = "database does not exist"
    elif isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        message = f"not authorised: {safe_line(exc, target)}"
    elif _rejected_tls(exc):
        message = _tls_rejection(mode, tls_reply)
    elif _closed_during_startup(exc):
        message = _closure(tls_reply)
    elif isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or safe_line(exc, target)
        message = f"server certificate rejected ({_mode_note(target)}): {reason}"
    elif isinstance(exc, ssl.SSLError) or "SSL" in str(exc) or "TLS" in str(exc):
        message = f"TLS could not be negotiated ({_mode_note(target)}): {safe_line(exc, target)}"
    elif isinstance(exc, OSError):
        message = f"cannot connect: {scrub(exc.strerror or str(exc), target.password)}"
    else:
        message = f"cannot connect: {safe_line(exc, target)}"
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


def safe_line(exc: BaseException, target: ConnectionTarget) -> str:
    """The exception's first line, scrubbed of the password (it never should hold it)."""
    return scrub(first_line(exc), target.password)


async def connect_failure(
    exc: BaseException, target: ConnectionTarget, connect_timeout: float
) -> ConnectError:
    """The one-line error a failed connection attempt raises; asks the server what it answers
    a TLS request when that tells a PostgreSQL without TLS from some other service."""
    probe = _rejected_tls(exc) or _closed_during_startup(exc)
    reply = await _tls_reply(target, connect_timeout) if probe else None
    return ConnectError(describe_connect_error(exc, target, connect_timeout, reply))
