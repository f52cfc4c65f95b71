"""A one-query PostgreSQL client on a plain socket, for the warm lookup's one statement.

A warm `ehgtui describe T` sends one short query; importing asyncio and asyncpg to send it costs
70-90 ms of CPU, more than the query and the process's other work together. This client speaks
the protocol itself (the standard library has what it needs: socket, ssl, hashlib, hmac) for
exactly that case: connect over TCP or a Unix socket, TLS as sslmode says (disable, prefer,
require, verify-ca, verify-full, through `tls.build_context`), log in (trust, cleartext, md5 or
SCRAM-SHA-256 without channel binding), send one one-trip message (`one_trip_text`: BEGIN READ
ONLY, the query in a DO block that RAISEs its answer as INFO, ROLLBACK, the very text the
asyncpg path sends) and read the answer.

What it does not speak is decided before connecting (`plain_supported`): several hosts,
hostaddr, sslmode=allow, direct TLS, target_session_attrs, Kerberos settings, a non-ASCII
password (SCRAM's SASLprep), no host at all. Then, and when the server asks for an
authentication it does not speak (GSS, SSPI, SCRAM-SHA-256-PLUS only) or for a password it
was not given, `PlainUnsupported` is raised before any login was refused, and the caller
takes the asyncpg path. A failure (a refused port, a timeout, a refused login, a TLS error)
is never retried that way: it raises the one-line `ConnectError` the asyncpg path gives
(`connect_errors.describe_connect_error`, imported only then), within the same timeouts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import socket
import stat
import struct
import time
from collections.abc import Mapping
from pathlib import Path

from ehgtui.db import conninfo
from ehgtui.db.one_trip_text import MARK, one_trip_sql
from ehgtui.db.settings import ConnectionTarget

APPLICATION_NAME = "ehgtui"  # pool.APPLICATION_NAME, without importing asyncpg

_PLAIN_MODES = ("disable", "prefer", "require", "verify-ca", "verify-full")
_UNSUPPORTED_SETTINGS = ("hostaddr", "target_session_attrs", "krbsrvname", "gsslib")
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)
_PROTOCOL_3 = 196608
_UNDEFINED_OBJECT = "42704"
"""SQLSTATE of `language "plpgsql" does not exist`: the one-trip form does not work here."""


class PlainUnsupported(Exception):  # noqa: N818 (a decision, not a failure)
    """This connection needs something this client does not speak: use the asyncpg path."""


class QueryError(Exception):
    """The server refused the query itself (the session was fine): its first line."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__(fields.get("M", "error"))
        self.fields = dict(fields)


def plain_supported(target: ConnectionTarget) -> bool:
    """True when this client can connect to target as asyncpg would (decided before
    connecting, from the settings alone)."""
    settings = target.settings
    if len(target.hosts) != 1 or len(settings.get("port", "").split(",")) > 1:
        return False
    if any(settings.get(key) for key in _UNSUPPORTED_SETTINGS):
        return False
    if settings.get("sslnegotiation") == "direct" or target.sslmode not in _PLAIN_MODES:
        return False
    if target.host.startswith("/") and target.requires_tls:
        return False  # asyncpg's own handling of TLS over a Unix socket
    if target.sslmode == "prefer" and (settings.get("sslcert") or settings.get("sslkey")):
        return False
    password = _password(target)
    return password is None or password.isascii()


def _password(target: ConnectionTarget) -> str | None:
    """The DSN's (or PGPASSWORD's) password, else the matching line of the password file
    (`passfile`, PGPASSFILE or ~/.pgpass), as asyncpg reads them."""
    if target.password is not None:
        return target.password
    name = target.settings.get("passfile") or os.environ.get("PGPASSFILE")
    path = Path(name) if name else Path.home() / ".pgpass"
    host = "localhost" if target.host.startswith("/") else target.host
    wanted = (host, str(target.ports[0]), target.database, target.user)
    for entry in _password_file(path):
        if all(field in ("*", value) for field, value in zip(entry, wanted, strict=False)):
            return entry[4]
    return None


def _password_file(path: Path) -> list[tuple[str, ...]]:
    """The entries of a pgpass file (asyncpg's reading: none when it is readable by others)."""
    try:
        if not path.is_file() or path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            return []
        lines = path.read_text().splitlines()
    except OSError:
        return []
    entries = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = _split_entry(line.replace("\\\\", "\n"))
        if len(fields) == 5:
            entries.append(tuple(f.replace("\n", "\\\\") for f in fields))
    return entries


def _split_entry(line: str) -> list[str]:
    """A pgpass line's fields: split at colons that no backslash escapes (four at most)."""
    fields: list[str] = []
    current, escaped = "", False
    for char in line:
        if char == ":" and not escaped and len(fields) < 4:
            fields.append(current)
            current = ""
        else:
            current += char
        escaped = char == "\\" and not escaped
    return [*fields, current]


class _Session:
    """One connection's messages, each read within the deadline in force."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.deadline = 0.0
        self._buffer = b""

    def send(self, kind: bytes, body: bytes) -> None:
        self._settimeout()
        self.sock.sendall(kind + struct.pack("!i", len(body) + 4) + body)

    def _settimeout(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")
        self.sock.settimeout(left)

    def _read(self, count: int) -> bytes:
        while len(self._buffer) < count:
            self._settimeout()
            chunk = self.sock.recv(max(65536, count - len(self._buffer)))
            if not chunk:
                raise ConnectionResetError("the server closed the connection")
            self._buffer += chunk
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def receive(self) -> tuple[bytes, bytes]:
        """The next message: its type and body."""
        head = self._read(5)
        length = struct.unpack("!i", head[1:])[0]
        return head[:1], self._read(length - 4)


def _fields(body: bytes) -> dict[str, str]:
    """An ErrorResponse's or NoticeResponse's fields by their one-letter codes."""
    fields = {}
    for part in body.split(b"\x00"):
        if part:
            fields[chr(part[0])] = part[1:].decode("utf-8", "replace")
    return fields


def _connect(target: ConnectionTarget, timeout: float) -> socket.socket:
    host, port = target.host, target.ports[0]
    if host.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(os.path.join(host, f".s.PGSQL.{port}"))
        except BaseException:
            sock.close()
            raise
        return sock
    # an ASCII name as bytes: a str makes getaddrinfo import the IDNA codec (and stringprep)
    address = host.encode("ascii") if host.isascii() else host
    sock = socket.create_connection((address, port), timeout=timeout)  # type: ignore[arg-type]
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    return sock


def _start_tls(session: _Session, target: ConnectionTarget) -> None:
    """The SSLRequest, then the handshake when the server agrees; sslmode decides the rest
    (ssl imported only then: a server without TLS under prefer never needs it)."""
    mode = target.sslmode
    if mode == "disable" or target.host.startswith("/"):
        return
    session._settimeout()
    session.sock.sendall(_SSL_REQUEST)
    answer = session._read(1)
    if answer == b"N" and mode == "prefer":
        return
    if answer != b"S":
        raise _TlsRefused(answer)
    import ssl

    from ehgtui.db import tls

    if mode == "prefer":  # as asyncpg and libpq: encrypted, nothing verified
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context = tls.build_context(mode, target.settings)
    session._settimeout()  # the host name for SNI and verify-full (ssl sends no SNI for an IP)
    session.sock = context.wrap_socket(session.sock, server_hostname=target.host)


class _TlsRefused(Exception):
    """The server answered the SSLRequest with something else than `S`."""

    def __init__(self, answer: bytes) -> None:
        super().__init__("rejected SSL upgrade")
        self.answer = answer


def _startup(session: _Session, target: ConnectionTarget) -> None:
    params = {
        "user": target.user,
        "database": target.database,
        "application_name": APPLICATION_NAME,
        "client_encoding": "utf-8",
    }
    settings = target.settings
    params |= {k: v for k, v in settings.items() if k not in conninfo.KEYWORDS}
    for key in ("options", "client_encoding"):
        if settings.get(key):
            params[key] = settings[key]
    body = struct.pack("!i", _PROTOCOL_3) + b"".join(
        k.encode() + b"\x00" + v.encode() + b"\x00" for k, v in params.items()
    )
    session._settimeout()
    session.sock.sendall(struct.pack("!i", len(body) + 5) + body + b"\x00")
    _authenticate(session, target)


def _authenticate(session: _Session, target: ConnectionTarget) -> None:
    """Answer the server's authentication requests until it is ready for a query."""
    scram: _Scram | None = None
    while True:
        kind, body = session.receive()
        if kind == b"E":
            raise _StartupRefused(_fields(body))
        if kind == b"Z":
            return
        if kind != b"R":
            continue  # ParameterStatus, BackendKeyData, NoticeResponse, NegotiateProtocolVersion
        code = struct.unpack("!i", body[:4])[0]
        if code == 0:
            continue
        password = _password(target)
        if password is None or code not in (3, 5, 10, 11, 12):
            raise PlainUnsupported(f"authentication request {code}")
        if code == 3:
            session.send(b"p", password.encode() + b"\x00")
        elif code == 5:
            inner = hashlib.md5((password + target.user).encode()).hexdigest()  # noqa: S324
            outer = hashlib.md5(inner.encode() + body[4:8]).hexdigest()  # noqa: S324
            session.send(b"p", b"md5" + outer.encode() + b"\x00")
        elif code == 10:
            mechanisms = body[4:].split(b"\x00")
            if b"SCRAM-SHA-256" not in mechanisms:
                raise PlainUnsupported("no SCRAM-SHA-256 without channel binding")
            scram = _Scram(password)
            first = scram.client_first()
            session.send(b"p", b"SCRAM-SHA-256\x00" + struct.pack("!i", len(first)) + first)
        elif code == 11 and scram is not None:
            session.send(b"p", scram.client_final(body[4:]))
        elif code == 12 and scram is not None:
            scram.check_server(body[4:])


class _StartupRefused(Exception):
    """The server's ErrorResponse before the session was ready (a refused login, no such
    database, too many clients)."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__(fields.get("M", "error"))
        self.fields = dict(fields)


class _Scram:
    """SCRAM-SHA-256 (RFC 5802, 7677) without channel binding, as PostgreSQL runs it: the user
    name is the startup message's, so the client sends an empty one."""

    def __init__(self, password: str) -> None:
        self.password = password.encode()
        self.nonce = base64.b64encode(secrets.token_bytes(18)).decode()
        self.first_bare = f"n=,r={self.nonce}"
        self.server_signature = b""

    def client_first(self) -> bytes:
        return ("n,," + self.first_bare).encode()

    def client_final(self, server_first: bytes) -> bytes:
        parts = dict(item.split("=", 1) for item in server_first.decode().split(","))
        if not parts["r"].startswith(self.nonce):
            raise _StartupRefused({"M": "the server's SCRAM nonce does not extend ours"})
        salted = hashlib.pbkdf2_hmac(
            "sha256", self.password, base64.b64decode(parts["s"]), int(parts["i"])
        )
        client_key = hmac.digest(salted, b"Client Key", "sha256")
        stored_key = hashlib.sha256(client_key).digest()
        without_proof = f"c=biws,r={parts['r']}"
        message = f"{self.first_bare},{server_first.decode()},{without_proof}".encode()
        signature = hmac.digest(stored_key, message, "sha256")
        proof = bytes(a ^ b for a, b in zip(client_key, signature, strict=True))
        server_key = hmac.digest(salted, b"Server Key", "sha256")
        self.server_signature = hmac.digest(server_key, message, "sha256")
        return f"{without_proof},p={base64.b64encode(proof).decode()}".encode()

    def check_server(self, server_final: bytes) -> None:
        text = server_final.decode()
        given = base64.b64decode(text[2:]) if text.startswith("v=") else b""
        if not hmac.compare_digest(given, self.server_signature):
            raise _StartupRefused({"M": "the server's SCRAM signature does not match"})


def _one_trip(session: _Session, sql: str) -> str | None:
    """Send the one-trip message; the INFO answer, None when the form does not work here.

    Raises:
        QueryError: the query failed.
    """
    session.send(b"Q", sql.encode() + b"\x00")
    answer: str | None = None
    error: dict[str, str] | None = None
    while True:
        kind, body = session.receive()
        if kind == b"N":
            message = _fields(body).get("M", "")
            if message.startswith(MARK) and answer is None:
                answer = message.removeprefix(MARK)
        elif kind == b"E" and error is None:
            error = _fields(body)
        elif kind == b"Z":
            break
    if error is not None:
        if error.get("C") == _UNDEFINED_OBJECT:
            return None
        raise QueryError(error)
    return answer


def fetch_one_trip_value(
    target: ConnectionTarget, query: str, connect_timeout: float, command_timeout: float
) -> str | None:
    """The one value `query` returns, from one connection and one message; None when the
    one-trip form does not work on this server (the caller takes the asyncpg path).

    Raises:
        PlainUnsupported: this connection needs what this client does not speak (no login
            was refused: the asyncpg path may try).
        QueryError: the server refused the query.
        ConnectError: connecting failed (the asyncpg path's one line, within the same
            connect timeout), or the server stopped answering or hung up afterwards
            (ServerTimeoutError, ConnectionLostError).
    """
    sql = one_trip_sql(query)
    if sql is None:
        raise PlainUnsupported("the query cannot travel in one message")
    deadline = time.monotonic() + connect_timeout
    session: _Session | None = None
    try:
        session = _Session(_connect(target, connect_timeout))
        session.deadline = deadline
        _start_tls(session, target)
        _startup(session, target)
    except PlainUnsupported:
        _close(session)
        raise
    except (OSError, _TlsRefused, _StartupRefused, ValueError) as exc:
        _close(session)
        raise _connect_failure(exc, target, connect_timeout) from None
    try:
        session.deadline = time.monotonic() + command_timeout
        value = _one_trip(session, sql)
        session.send(b"X", b"")
    except OSError as exc:
        raise _query_failure(exc, command_timeout) from None
    finally:
        _close(session)
    return value


def _close(session: _Session | None) -> None:
    if session is not None:
        try:
            session.sock.close()
        except OSError:
            pass


def _connect_failure(exc: BaseException, target: ConnectionTarget, timeout: float) -> Exception:
    """The asyncpg path's one line for a failed connection attempt (asyncpg imported here,
    on the way out, to word it the same)."""
    import asyncio

    import asyncpg

    from ehgtui.db.connect_errors import connect_failure, describe_connect_error
    from ehgtui.db.failures import ConnectError

    if isinstance(exc, _TlsRefused):
        text = describe_connect_error(ConnectionError(str(exc)), target, timeout, exc.answer)
        return ConnectError(text)
    if isinstance(exc, _StartupRefused):
        error = asyncpg.PostgresError.new(exc.fields)
        return ConnectError(describe_connect_error(error, target, timeout))
    if isinstance(exc, OSError):  # ssl's errors too (a certificate rejected is a ValueError too)
        return asyncio.run(connect_failure(exc, target, timeout))
    return ConnectError(f"{exc} ({target.masked})")  # tls.TlsSetupError: settings not honoured


def _query_failure(exc: OSError, command_timeout: float) -> Exception:
    """The asyncpg path's one line for a server that stopped answering or hung up."""
    from ehgtui.db.failures import ConnectionLostError, ServerTimeoutError

    if isinstance(exc, TimeoutError):
        return ServerTimeoutError(
            f"timed out: the server did not answer within {command_timeout:g}s "
            "(set a longer limit with --timeout or EHGTUI_TIMEOUT)"
        )
    return ConnectionLostError("connection lost: the server closed the connection")
