"""Clear failures: every way a connection can fail is one line on stderr, exit status 2.

Each fault is real: an unresolvable `.invalid` host, a closed port, a SCRAM server given the
wrong password, a server without TLS asked for it, a socket that listens but never answers.
The password in the DSN must never appear in what the user sees; no traceback, ever.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.pg import TestServer
from tests.reliability.conftest import (
    PG_VARIABLES,
    SECRET_PASSWORD,
    PasswordServer,
    free_port,
    run_cli,
)

PW = SECRET_PASSWORD
"""Every DSN below carries it: it must be masked in every message."""

QUOTED_PW = "Sup3r%24ecret%21pw"


@dataclass(frozen=True)
class Fault:
    """A broken connection, and the one line the user must see about it."""

    name: str
    dsn: str
    expected: str
    """The whole stderr line, exactly."""


@pytest.fixture(scope="module")
def silent_port() -> Iterator[int]:
    """A socket that accepts TCP connections (backlog) but never says a word."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


def _faults(pg: TestServer, scram: PasswordServer, silent: int) -> list[Fault]:
    port = pg.server.running_port()
    closed = free_port()
    masked_app = f"postgresql://app_user:***@127.0.0.1:{scram.port}"
    return [
        Fault(
            "malformed port",
            f"postgresql://u:{QUOTED_PW}@db.example.com:port/app",
            "ehgtui: malformed DSN: cannot tell the host and port from the rest of the URL "
            "(expected postgresql://user:password@host:port/dbname; a port must be a number) "
            "(from --dsn)",
        ),
        Fault(
            "wrong scheme",
            f"mysql://u:{QUOTED_PW}@db.example.com/app",
            "ehgtui: malformed DSN: a mysql:// URL is not a PostgreSQL one "
            "(expected postgresql://user:password@host:port/dbname) (from --dsn)",
        ),
        Fault(
            "unknown host",
            f"postgresql://u:{QUOTED_PW}@no-such-host.invalid:5432/app",
            "ehgtui: unknown host 'no-such-host.invalid': the name does not resolve "
            "(postgresql://u:***@no-such-host.invalid:5432/app)",
        ),
        Fault(
            "refused port",
            f"postgresql://u:{QUOTED_PW}@127.0.0.1:{closed}/app",
            "ehgtui: connection refused: is the server running? "
            f"(postgresql://u:***@127.0.0.1:{closed}/app)",
        ),
        Fault(
            "wrong password",
            scram.dsn("app", password="not-the-password"),
            'ehgtui: authentication failed: password authentication failed for user "app_user" '
            f"({masked_app}/app)",
        ),
        Fault(
            "missing database",
            scram.dsn("no_such_db"),
            f"ehgtui: database does not exist ({masked_app}/no_such_db)",
        ),
        Fault(
            "unknown role",
            f"postgresql://ghost:{QUOTED_PW}@127.0.0.1:{port}/postgres",
            'ehgtui: not authorised: role "ghost" does not exist '
            f"(postgresql://ghost:***@127.0.0.1:{port}/postgres)",
        ),
        Fault(
            "TLS required, server has none",
            f"postgresql://postgres:{QUOTED_PW}@127.0.0.1:{port}/postgres?sslmode=require",
            "ehgtui: the server does not offer TLS, which sslmode=require requires "
            f"(postgresql://postgres:***@127.0.0.1:{port}/postgres?sslmode=require)",
        ),
        Fault(
            "bad sslmode",
            f"postgresql://postgres:{QUOTED_PW}@127.0.0.1:{port}/postgres?sslmode=sometimes",
            "ehgtui: sslmode 'sometimes' is not one of "
            "disable, allow, prefer, require, verify-ca, verify-full (from --dsn)",
        ),
        Fault(
            "connect timeout",
            f"postgresql://u:{QUOTED_PW}@127.0.0.1:{silent}/app?connect_timeout=2",
            "ehgtui: connection timed out after 2s "
            f"(postgresql://u:***@127.0.0.1:{silent}/app?connect_timeout=2)",
        ),
    ]


FAULT_NAMES = [
    "malformed port",
    "wrong scheme",
    "unknown host",
    "refused port",
    "wrong password",
    "missing database",
    "unknown role",
    "TLS required, server has none",
    "bad sslmode",
    "connect timeout",
]

COMMANDS = (("tables",), ("describe", "notes"), ("rows", "notes"))


def _assert_one_clean_line(stdout: str, stderr: str, expected: str) -> None:
    assert stdout == ""
    assert stderr.splitlines() == [expected]
    for secret in (PW, QUOTED_PW, "not-the-password"):
        assert secret not in stderr and secret not in stdout
    assert "Traceback" not in stderr


@pytest.mark.parametrize("fault_name", FAULT_NAMES)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_connection_fault_is_one_line_exit_2(
    pg18: TestServer,
    password_server: PasswordServer,
    silent_port: int,
    fault_name: str,
    command: tuple[str, ...],
) -> None:
    fault = {f.name: f for f in _faults(pg18, password_server, silent_port)}[fault_name]
    result = run_cli(*command, "--dsn", fault.dsn)
    assert result.returncode == 2, (result.stdout, result.stderr)
    _assert_one_clean_line(result.stdout, result.stderr, fault.expected)


def test_fault_from_database_url_is_masked_too(password_server: PasswordServer) -> None:
    dsn = password_server.dsn("app", password="not-the-password")
    result = run_cli("tables", env={"DATABASE_URL": dsn})
    assert result.returncode == 2
    assert "authentication failed" in result.stderr
    _assert_one_clean_line(result.stdout, result.stderr, result.stderr.strip())


def test_right_password_works(password_server: PasswordServer) -> None:
    result = run_cli("tables", "--dsn", password_server.dsn("app"))
    assert result.returncode == 0, result.stderr
    assert "notes" in result.stdout
    assert PW not in result.stdout + result.stderr


def test_missing_table_is_one_line_exit_1(password_server: PasswordServer) -> None:
    for command in (("describe", "no_such_table"), ("rows", "no_such_table")):
        result = run_cli(*command, "--dsn", password_server.dsn("app"))
        assert result.returncode == 1, result.stderr
        _assert_one_clean_line(
            result.stdout,
            result.stderr,
            "ehgtui: no table named 'no_such_table' in schema(s) public",
        )


def test_no_database_given_is_one_line_exit_2(tmp_path: Path) -> None:
    result = run_cli("tables", cwd=tmp_path, unset=PG_VARIABLES)
    assert result.returncode == 2
    _assert_one_clean_line(
        result.stdout,
        result.stderr,
        "ehgtui: no database given: pass --dsn, set DATABASE_URL (or put it in .env), "
        "set PGHOST/PGDATABASE or PGSERVICE, or try the embedded demo with --demo",
    )
