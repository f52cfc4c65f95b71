"""DSNs as users write them: raw special characters, keyword/value strings, service files,
and the one-line messages when they are wrong (issue: passwords shown, libpq conventions).

Every case runs `python -m ehgtui` against the SCRAM server, whose roles here have the
passwords under test; a message must hold no part of a password.
"""

from __future__ import annotations

import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ehgtui.demo.server import embedded_bin_dir
from ehgtui.tasks.registry import TaskSpec
from ehgtui.tasks.runner import MAX_LINE_BYTES, run_task
from tests.reliability.conftest import (
    PG_VARIABLES,
    SECRET_PASSWORD,
    PasswordServer,
    free_port,
    run_cli,
)

RAW_PASSWORDS = ("pa#ssword9", "p@ss:w/rd#x y%Z", "qu?est/ion")
"""Passwords written unencoded into URLs, as users paste them."""


def _fragments(password: str) -> list[str]:
    """The password, and each of its 3-character pieces that holds a character other than a
    letter: none may show. (Letter-only pieces such as `wor` of `pa#ssword9` occur in the
    messages' own words, "password authentication failed".)"""
    pieces = [password[i : i + 3] for i in range(len(password) - 2)]
    return [password] + [p for p in pieces if not p.isalpha()]


def _one_line(result: subprocess.CompletedProcess[str], *secrets: str) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    for secret in secrets:
        for piece in _fragments(secret):
            assert piece not in result.stderr + result.stdout, (piece, result.stderr)
    return lines[0]


@pytest.fixture(scope="module")
def weird_roles(password_server: PasswordServer) -> PasswordServer:
    """Roles `weird0`, `weird1`, … whose passwords are RAW_PASSWORDS (created once per
    server: other modules use this fixture too)."""
    admin = password_server.dsn("postgres", user="postgres", password="postgres-admin-pw")
    sql = ";".join(
        f"SELECT 'CREATE ROLE weird{i}' WHERE NOT EXISTS "
        f"(SELECT FROM pg_roles WHERE rolname = 'weird{i}') \\gexec\n"
        f"ALTER ROLE weird{i} LOGIN PASSWORD '{pw}'; GRANT CONNECT ON DATABASE app TO weird{i}"
        for i, pw in enumerate(RAW_PASSWORDS)
    )
    subprocess.run(
        [str(embedded_bin_dir() / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", admin],
        input=sql,
        text=True,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return password_server


@pytest.mark.parametrize("index", range(len(RAW_PASSWORDS)), ids=RAW_PASSWORDS)
def test_raw_special_characters_in_url_passwords_connect(
    weird_roles: PasswordServer, index: int
) -> None:
    port, password = weird_roles.port, RAW_PASSWORDS[index]
    dsn = f"postgresql://weird{index}:{password}@127.0.0.1:{port}/app"
    result = run_cli("ping", "--dsn", dsn, unset=PG_VARIABLES)
    assert result.returncode == 0, result.stderr
    assert f"postgresql://weird{index}:***@127.0.0.1:{port}/app" in result.stdout
    for piece in _fragments(password):
        assert piece not in result.stdout + result.stderr
    wrong = dsn.replace(password, password[::-1])
    failed = run_cli("ping", "--dsn", wrong, unset=PG_VARIABLES)
    assert failed.returncode == 2
    assert _one_line(failed, password, password[::-1]) == (
        f'ehgtui: authentication failed: password authentication failed for user "weird{index}"'
        f" (postgresql://weird{index}:***@127.0.0.1:{port}/app)"
    )


def test_raw_at_in_a_password_names_the_real_host() -> None:
    closed = free_port()
    result = run_cli("ping", "--dsn", f"postgresql://u:p@ss@127.0.0.1:{closed}/app")
    assert _one_line(result, "p@ss") == (
        f"ehgtui: connection refused: is the server running? (postgresql://u:***@127.0.0.1:{closed}/app)"
    )


def test_quoted_keyword_password_is_masked_whole(password_server: PasswordServer) -> None:
    dsn = (
        f"host=127.0.0.1 port={password_server.port} dbname=app user=app_user "
        "password='it\\'s my SECRETPART'"
    )
    result = run_cli("ping", "--dsn", dsn, unset=PG_VARIABLES)
    assert result.returncode == 2
    assert _one_line(result, "it's my SECRETPART") == (
        'ehgtui: authentication failed: password authentication failed for user "app_user" '
        f"(host=127.0.0.1 port={password_server.port} dbname=app user=app_user password=***)"
    )


@pytest.mark.parametrize("command", [("ping",), ()], ids=["ping", "tui"])
@pytest.mark.parametrize("source", ["--dsn", "DATABASE_URL", ".env"])
def test_unparseable_dsn_is_never_echoed(
    tmp_path: Path, source: str, command: tuple[str, ...]
) -> None:
    """From each source, for a command and for the TUI (refused before any window opens)."""
    text = "not a dsn s3cr3tPW"
    args, env = command, {}
    if source == "--dsn":
        args += ("--dsn", text)
    elif source == "DATABASE_URL":
        env["DATABASE_URL"] = text
    else:
        (tmp_path / ".env").write_text(f"DATABASE_URL='{text}'\n")
    result = run_cli(*args, env=env, cwd=tmp_path, unset=PG_VARIABLES)
    assert result.returncode == 2
    line = _one_line(result, "s3cr3tPW")
    assert "not a dsn" not in line
    assert line.startswith("ehgtui: malformed DSN: it is neither a postgresql:// URL nor libpq")
    assert line.endswith(f"(from {source})")


def test_short_password_does_not_mask_other_text() -> None:
    result = run_cli("ping", "--dsn", "postgresql://u:s@no-such-host.invalid:5432/app")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "ehgtui: unknown host 'no-such-host.invalid': the name does not resolve "
        "(postgresql://u:***@no-such-host.invalid:5432/app)"
    ]


def test_query_password_masking_keeps_the_closing_parenthesis() -> None:
    closed = free_port()
    dsn = f"postgresql://u@127.0.0.1:{closed}/app?password=hunter2xyz"
    result = run_cli("ping", "--dsn", dsn)
    assert _one_line(result, "hunter2xyz") == (
        "ehgtui: connection refused: is the server running? "
        f"(postgresql://u@127.0.0.1:{closed}/app?password=***)"
    )


def _service_file(tmp_path: Path, server: PasswordServer) -> Path:
    path = tmp_path / "services.conf"
    path.write_text(
        "# test services\n[other]\nhost=nowhere.invalid\n\n"
        f"[ehg]\nhost=127.0.0.1\nport={server.port}\nuser=app_user\n"
        f"password={SECRET_PASSWORD}\ndbname=app\n"
    )
    return path


def test_pgservice_with_pgservicefile(password_server: PasswordServer, tmp_path: Path) -> None:
    env = {"PGSERVICEFILE": str(_service_file(tmp_path, password_server)), "PGSERVICE": "ehg"}
    result = run_cli("tables", env=env, cwd=tmp_path, unset=PG_VARIABLES)
    assert result.returncode == 0, result.stderr
    assert "notes" in result.stdout
    assert SECRET_PASSWORD not in result.stdout + result.stderr


def test_service_in_url_takes_the_database_too(
    password_server: PasswordServer, tmp_path: Path
) -> None:
    """`?service=` and ~/.pg_service.conf: dbname comes from the service, not the empty path."""
    home = tmp_path / "home"
    home.mkdir()
    _service_file(tmp_path, password_server).rename(home / ".pg_service.conf")
    result = run_cli(
        "tables",
        "--dsn",
        "postgresql:///?service=ehg",
        env={"HOME": str(home)},
        unset=PG_VARIABLES,
    )
    assert result.returncode == 0, result.stderr
    assert "notes" in result.stdout


def test_unknown_service_is_one_line(tmp_path: Path) -> None:
    env = {"PGSERVICEFILE": str(tmp_path / "none.conf"), "PGSERVICE": "ghost"}
    result = run_cli("ping", env=env, cwd=tmp_path, unset=PG_VARIABLES)
    assert result.returncode == 2
    assert _one_line(result).startswith("ehgtui: service 'ghost' is not defined in ")


@pytest.mark.parametrize("where", ["--dsn", "DATABASE_URL", ".env"])
def test_keyword_dsn_is_accepted_everywhere(
    password_server: PasswordServer, tmp_path: Path, where: str
) -> None:
    dsn = (
        f"host=127.0.0.1 port={password_server.port} dbname = app user=app_user "
        f"password='{SECRET_PASSWORD}' connect_timeout=5"
    )
    args: tuple[str, ...] = ("tables",)
    env: dict[str, str] = {}
    if where == "--dsn":
        args += ("--dsn", dsn)
    elif where == "DATABASE_URL":
        env["DATABASE_URL"] = dsn
    else:
        (tmp_path / ".env").write_text(f'DATABASE_URL="{dsn}"\n')
    result = run_cli(*args, env=env, cwd=tmp_path, unset=PG_VARIABLES)
    assert result.returncode == 0, result.stderr
    assert "notes" in result.stdout


class _StrictHttpHandler(socketserver.BaseRequestHandler):
    """Answers the first bytes that are not an HTTP request with `400 Bad Request` at once,
    as Node's, Go's h2c and most HTTP parsers do (Python's http.server would wait for a
    newline that a PostgreSQL client never sends)."""

    def handle(self) -> None:
        self.request.recv(1024)
        self.request.sendall(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )


@pytest.fixture()
def http_port() -> Iterator[int]:
    """An HTTP server on a loopback port: not PostgreSQL."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _StrictHttpHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_http_server_is_not_reported_as_missing_tls(http_port: int) -> None:
    expected = "the server did not answer as PostgreSQL does: is another service on that port?"
    for query in ("", "?sslmode=disable", "?sslmode=require", "?sslmode=verify-full"):
        dsn = f"postgresql://u@127.0.0.1:{http_port}/app{query}"
        result = run_cli("ping", "--dsn", dsn, unset=PG_VARIABLES, env={"HOME": "/nonexistent"})
        assert result.returncode == 2
        if query.endswith("verify-full"):  # refused before connecting: no root certificate
            assert "root.crt" in result.stderr
            continue
        assert result.stderr.splitlines() == [f"ehgtui: {expected} ({dsn})"]


class _HangUpHandler(socketserver.BaseRequestHandler):
    """Accepts, reads the client's first message, and closes: a published container port
    with nothing behind it, or a proxy whose backend is down."""

    def handle(self) -> None:
        self.request.recv(1024)


@pytest.fixture(scope="module")
def hang_up_port() -> Iterator[int]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _HangUpHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("mode", ["disable", "prefer", "require"])
def test_server_hanging_up_is_said_in_our_words(hang_up_port: int, mode: str) -> None:
    """asyncpg's own words ("unexpected connection_lost() call", "connection was closed in
    the middle of operation", an empty ConnectionResetError) never reach the user."""
    dsn = f"postgresql://u:pa#ssword9@127.0.0.1:{hang_up_port}/app?sslmode={mode}"
    result = run_cli("ping", "--dsn", dsn, unset=PG_VARIABLES)
    assert result.returncode == 2
    assert _one_line(result, "pa#ssword9") == (
        "ehgtui: the server closed the connection during startup: check that this is "
        "PostgreSQL's port, and the server's log for why "
        f"(postgresql://u:***@127.0.0.1:{hang_up_port}/app?sslmode={mode})"
    )


@pytest.mark.parametrize("source", ["DATABASE_URL", ".env"])
@pytest.mark.parametrize("index", range(len(RAW_PASSWORDS)), ids=RAW_PASSWORDS)
def test_raw_passwords_from_the_environment_and_dotenv(
    weird_roles: PasswordServer, tmp_path: Path, source: str, index: int
) -> None:
    port, password = weird_roles.port, RAW_PASSWORDS[index]
    for attempt, expect in ((password, 0), (password[::-1], 2)):
        dsn = f"postgresql://weird{index}:{attempt}@127.0.0.1:{port}/app"
        env: dict[str, str] = {}
        if source == "DATABASE_URL":
            env["DATABASE_URL"] = dsn
        else:
            (tmp_path / ".env").write_text(f"DATABASE_URL='{dsn}'\n")
        result = run_cli("ping", env=env, cwd=tmp_path, unset=PG_VARIABLES)
        assert result.returncode == expect, result.stderr
        for piece in _fragments(password) + _fragments(password[::-1]):
            assert piece not in result.stdout + result.stderr, piece
        assert f"postgresql://weird{index}:***@127.0.0.1:{port}/app" in (
            result.stdout + result.stderr
        )


def _command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_ps_does_not_show_the_password() -> None:
    """The process title is rewritten: `ps` and /proc/PID/cmdline show the masked DSN."""
    import socket
    import time

    with socket.socket() as silent:  # accepts (in the backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        dsn = f"postgresql://app_user:p@ss w0rd#Z@127.0.0.1:{port}/app?connect_timeout=20"
        process = subprocess.Popen(
            [sys.executable, "-m", "ehgtui", "ping", "--dsn", dsn],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 20
            while "***" not in _command_line(process.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            shown = _command_line(process.pid)
            ps = subprocess.run(
                ["ps", "-o", "args=", "-p", str(process.pid)], capture_output=True, text=True
            ).stdout
        finally:
            process.kill()
            process.wait()
    assert shown.endswith(
        f"-m ehgtui ping --dsn postgresql://app_user:***@127.0.0.1:{port}/app?connect_timeout=20"
    ), shown
    for text in (shown, ps):
        for piece in _fragments("p@ss w0rd#Z"):
            assert piece not in text, (piece, text)


async def test_password_at_the_line_piece_boundary_is_masked() -> None:
    """65,523 characters then the password: the 64 KiB cut must not split it."""
    filler = 65_523
    assert filler + len(SECRET_PASSWORD) > MAX_LINE_BYTES
    code = f"print('x' * {filler} + {SECRET_PASSWORD!r} + 'y' * 70000)"
    spec = TaskSpec("long", (sys.executable, "-c", code), None)
    result = await run_task(spec, secrets=[SECRET_PASSWORD])
    joined = "\n".join(result.lines)
    for piece in _fragments(SECRET_PASSWORD):
        assert piece not in joined, piece
    assert sum(line.count("***") for line in result.lines) == 1
    assert all(len(line.encode()) <= MAX_LINE_BYTES for line in result.lines)
