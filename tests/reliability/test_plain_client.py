"""The plain-socket client (`ehgtui.db.plain_client`) answers as the asyncpg path does, on every
path a warm lookup takes: loopback TCP and a Unix socket (trust), SCRAM-SHA-256, TLS with SCRAM
direct and through PgBouncer in transaction mode (TLS and SCRAM towards the client, as
Supabase's pooler). Its failures are asyncpg's one lines, within the same timeouts, and a
connection it does not speak is left to asyncpg before anything is sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.secure_path import SecureServer, secure_server
from ehgtui.catalog.table_fingerprint import (
    TableFingerprints,
    fetch_table_fingerprints,
    table_fingerprints_sql,
)
from ehgtui.db.failures import ConnectError, ServerTimeoutError
from ehgtui.db.plain_client import (
    PlainUnsupported,
    QueryError,
    fetch_one_trip_value,
    plain_supported,
)
from ehgtui.db.pool import close_quietly, create_pool
from ehgtui.db.settings import ConnectionTarget, resolve_target
from tests.cache.test_fingerprint import BASE_SQL
from tests.pg import TestServer
from tests.reliability.conftest import (
    APP_ROLE,
    SECRET_PASSWORD,
    PasswordServer,
    free_port,
    run_cli,
)
from tests.reliability.stall_proxy import stalling_proxy
from tests.reliability.test_tls import TlsServers
from tests.reliability.test_tls import tls_servers as tls_servers_fixture

SCHEMAS = ["public"]


def _target(dsn: str) -> ConnectionTarget:
    return resolve_target(dsn, env={})


def _plain(dsn: str, connect_timeout: float = 10.0, command_timeout: float = 30.0) -> str | None:
    return fetch_one_trip_value(
        _target(dsn), table_fingerprints_sql(SCHEMAS), connect_timeout, command_timeout
    )


def _through_asyncpg(dsn: str, connect_timeout: float = 10.0) -> TableFingerprints:
    async def fetch() -> TableFingerprints:
        pool = await create_pool(_target(dsn), connect_timeout=connect_timeout)
        try:
            return await fetch_table_fingerprints(pool, SCHEMAS)
        finally:
            await close_quietly(pool)

    return asyncio.run(fetch())


def _asyncpg_failure(dsn: str, connect_timeout: float = 10.0) -> str:
    with pytest.raises(ConnectError) as caught:
        _through_asyncpg(dsn, connect_timeout)
    return str(caught.value)


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureServer]:
    """PostgreSQL with TLS demanding SCRAM, and PgBouncer (TLS and SCRAM) in front of it."""
    with secure_server(tmp_path_factory.mktemp("secure"), "app", BASE_SQL) as server:
        yield server


@pytest.fixture(scope="module")
def database(pg18: TestServer) -> str:
    return pg18.create_database("plain", template=pg18.template("fingerprint_base", BASE_SQL))


def _same_answer(
    dsn: str, tables: frozenset[str] = frozenset({"parent", "child"})
) -> TableFingerprints:
    plain = _plain(dsn)
    assert plain is not None
    answer = TableFingerprints.parse(plain)
    assert answer == _through_asyncpg(dsn)
    assert {name for _schema, name, _value in answer.tables} >= tables
    return answer


def test_loopback_and_unix_socket_answer_as_asyncpg(pg18: TestServer, database: str) -> None:
    port = pg18.server.running_port()
    tcp = _same_answer(f"postgresql://postgres@127.0.0.1:{port}/{database}")
    unix = _same_answer(f"host={pg18.server.data_dir} port={port} dbname={database} user=postgres")
    assert unix == tcp


def test_scram_answers_as_asyncpg(password_server: PasswordServer) -> None:
    _same_answer(password_server.dsn(), frozenset({"notes"}))


def test_password_from_pgpassword_and_the_password_file(
    password_server: PasswordServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = f"postgresql://{APP_ROLE}@127.0.0.1:{password_server.port}/app"
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    with pytest.raises(PlainUnsupported):  # no password anywhere: asyncpg's own message
        _plain_value(_target(bare))
    assert _plain_value(resolve_target(bare, env={"PGPASSWORD": SECRET_PASSWORD})) == "1"
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{password_server.port}:*:{APP_ROLE}:{SECRET_PASSWORD}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    assert _plain_value(_target(bare)) == "1"
    passfile.chmod(0o644)  # readable by others: ignored, as asyncpg ignores it
    with pytest.raises(PlainUnsupported):
        _plain_value(_target(bare))


def _plain_value(target: ConnectionTarget) -> str | None:
    return fetch_one_trip_value(target, "SELECT 1", 10, 30)


def test_tls_and_scram_direct_and_through_pgbouncer_answer_as_asyncpg(
    secure: SecureServer,
) -> None:
    direct = _same_answer(secure.tls_dsn(secure.port, "app"))
    root = secure.server.data_dir / "server.crt"  # self-signed: its own authority
    for mode, extra in (("prefer", ""), ("verify-ca", f"&sslrootcert={root}")):
        dsn = secure.tls_dsn(secure.port, "app").replace("sslmode=require", f"sslmode={mode}")
        assert TableFingerprints.parse(_plain(dsn + extra) or "") == direct, mode
    if secure.bouncer_port is None:
        pytest.skip("pgbouncer is not installed")
    assert _same_answer(secure.tls_dsn(secure.bouncer_port, "app")) == direct


def test_a_query_error_is_the_servers_line(pg18: TestServer, database: str) -> None:
    dsn = f"postgresql://postgres@127.0.0.1:{pg18.server.running_port()}/{database}"
    with pytest.raises(QueryError, match="no_such_table"):
        fetch_one_trip_value(_target(dsn), "SELECT count(*) FROM no_such_table", 10, 30)


def test_failures_are_asyncpgs_lines(password_server: PasswordServer) -> None:
    refused = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    with pytest.raises(ConnectError) as caught:
        _plain(refused)
    assert str(caught.value) == _asyncpg_failure(refused)
    assert str(caught.value).startswith("connection refused: is the server running?")

    wrong = password_server.dsn(password="not-the-password")
    with pytest.raises(ConnectError) as caught:
        _plain(wrong)
    assert str(caught.value) == _asyncpg_failure(wrong)
    assert "password authentication failed" in str(caught.value)
    assert "not-the-password" not in str(caught.value)

    missing = password_server.dsn(database="no_such_database")
    with pytest.raises(ConnectError) as caught:
        _plain(missing)
    assert str(caught.value) == _asyncpg_failure(missing)


def test_a_stalled_server_times_out_once(password_server: PasswordServer) -> None:
    with stalling_proxy(password_server.port) as proxy:
        proxy.stall()
        dsn = password_server.dsn().replace(str(password_server.port), str(proxy.port))
        started = time.monotonic()
        with pytest.raises(ConnectError) as caught:
            _plain(dsn, connect_timeout=2)
        assert time.monotonic() - started < 4  # the connect timeout, not twice it
        assert str(caught.value) == _asyncpg_failure(dsn, connect_timeout=2)
        assert str(caught.value).startswith("connection timed out after 2s")
    with stalling_proxy(password_server.port, stall_on=b"BEGIN") as proxy:
        dsn = password_server.dsn().replace(str(password_server.port), str(proxy.port))
        started = time.monotonic()
        with pytest.raises(ServerTimeoutError, match="did not answer within 1s"):
            _plain(dsn, command_timeout=1)
        assert time.monotonic() - started < 5


def test_what_it_does_not_speak_is_decided_before_connecting() -> None:
    speaks = ("postgresql://u:p@db.example.com/app", "host=/run/postgresql dbname=app")
    for dsn in speaks:
        assert plain_supported(_target(dsn)), dsn
    does_not = (
        "postgresql://u:p@a.example.com,b.example.com/app",
        "postgresql://u:p@db.example.com/app?sslmode=allow",
        "postgresql://u:p@db.example.com/app?sslnegotiation=direct",
        "postgresql://u:p@db.example.com/app?target_session_attrs=read-write",
        "host=db.example.com hostaddr=10.0.0.1 dbname=app",
        "postgresql://u:pässword@db.example.com/app",
        "host=/run/postgresql dbname=app sslmode=require",
    )
    for dsn in does_not:
        assert not plain_supported(_target(dsn)), dsn


def test_a_cli_failure_on_the_plain_path_is_one_line(password_server: PasswordServer) -> None:
    wrong = password_server.dsn(password="not-the-password")
    result = run_cli("describe", "notes", "--dsn", wrong)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "password authentication failed" in lines[0]
    assert "Traceback" not in result.stderr


def _asyncpg_connects(dsn: str) -> str | None:
    """None when asyncpg connects to dsn; else its one line."""

    async def attempt() -> None:
        pool = await create_pool(_target(dsn), connect_timeout=10)
        await close_quietly(pool)

    try:
        asyncio.run(attempt())
    except ConnectError as exc:
        return str(exc)
    return None


def _plain_connects(dsn: str) -> str | None:
    try:
        assert _plain_value(_target(dsn)) == "1"
    except ConnectError as exc:
        return str(exc)
    return None


tls_servers = tls_servers_fixture  # the TLS servers of test_tls.py, for this module too


def test_verify_ca_and_verify_full_give_asyncpgs_verdicts(
    tls_servers: TlsServers,  # noqa: F811 (the fixture above)
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Against a certificate for 127.0.0.1, one for another host, one of an unknown CA."""
    monkeypatch.setenv("HOME", str(tls_servers.empty_home))
    verdicts = {}
    for server in ("right", "wronghost", "unknown-ca"):
        for mode in ("require", "verify-ca", "verify-full"):
            dsn = (
                f"postgresql://postgres@127.0.0.1:{tls_servers.ports[server]}/postgres"
                f"?sslmode={mode}&sslrootcert={tls_servers.ca_file}"
            )
            plain = _plain_connects(dsn)
            assert plain == _asyncpg_connects(dsn), (server, mode)
            verdicts[server, mode] = plain is None
    assert verdicts["right", "verify-full"] and verdicts["wronghost", "verify-ca"]
    assert not verdicts["wronghost", "verify-full"] and not verdicts["unknown-ca", "verify-ca"]
