"""sslmode as libpq defines it, against PostgreSQL 15 servers with TLS and a test CA.

Four servers share one cluster's files: one with a certificate for 127.0.0.1/localhost
signed by the test CA, one with a certificate of that CA for `wronghost.example`, one
whose right-host certificate an unknown CA signed, and one (`client-cert`) that takes only
clients presenting a certificate of the test CA for their role (`cert` authentication).
Every sslmode is tried against the first three, and the verdict (connects or not) must be
psql's for the same DSN and the same empty home.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ehgtui.db.pool import ConnectError, close_quietly, create_pool
from ehgtui.db.settings import SSL_MODES, resolve_target
from ehgtui.demo.server import SYSTEM_USER, LocalServer, find_system_bin_dir
from tests.reliability.conftest import run_cli, running_as_root, shared_dir

trustme = pytest.importorskip("trustme")


@dataclass(frozen=True)
class TlsServers:
    ports: dict[str, int]
    """Port of each server: `right`, `wronghost`, `unknown-ca`, `client-cert`."""
    ca_file: Path
    client_cert: Path
    """A certificate of the test CA for the role `postgres`, and its key (`client_key`)."""
    client_key: Path
    empty_home: Path
    psql: Path


def _own(path: Path, mode: int) -> None:
    os.chmod(path, mode)
    if running_as_root():
        import pwd

        entry = pwd.getpwnam(SYSTEM_USER)
        os.chown(path, entry.pw_uid, entry.pw_gid)


@pytest.fixture(scope="module")
def tls_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServers]:
    bin_dir = find_system_bin_dir(15)
    if bin_dir is None:
        pytest.skip("PostgreSQL 15 is not installed (its server is the one built with TLS)")
    root = shared_dir(tmp_path_factory.mktemp("tls"))
    ca, other_ca = trustme.CA(), trustme.CA()
    certs = {
        "right": ca.issue_cert("127.0.0.1", "localhost"),
        "wronghost": ca.issue_cert("wronghost.example", common_name="wronghost.example"),
        "unknown-ca": other_ca.issue_cert("127.0.0.1", "localhost"),
        "client-cert": ca.issue_cert("127.0.0.1", "localhost"),
    }
    ca_file = root / "ca.crt"
    ca.cert_pem.write_to_path(str(ca_file))
    client = ca.issue_cert("postgres", common_name="postgres")
    client_cert, client_key = root / "client.crt", root / "client.key"
    client.cert_chain_pems[0].write_to_path(str(client_cert))
    client.private_key_pem.write_to_path(str(client_key))
    os.chmod(client_key, 0o600)  # libpq refuses a key others may read
    first = LocalServer(bin_dir, root / "right")
    first.init()  # once: the other clusters are copies
    for name in certs:
        if name != "right":
            shutil.copytree(first.data_dir, root / name, symlinks=True)
    servers: list[LocalServer] = []
    ports: dict[str, int] = {}
    try:
        for name, cert in certs.items():
            server = LocalServer(bin_dir, root / name)
            cert_file, key_file = root / f"{name}.crt", root / f"{name}.key"
            cert.cert_chain_pems[0].write_to_path(str(cert_file))
            cert.private_key_pem.write_to_path(str(key_file))
            _own(cert_file, 0o644)
            _own(key_file, 0o600)
            options = f"-c ssl=on -c ssl_cert_file={cert_file} -c ssl_key_file={key_file}"
            if name == "client-cert":
                hba = root / "client-cert" / "pg_hba.conf"
                hba.write_text("local all all trust\nhostssl all all 127.0.0.1/32 cert\n")
                options += f" -c ssl_ca_file={ca_file}"
            ports[name] = server.start(extra_options=options)
            servers.append(server)
        home = root / "home"
        home.mkdir()
        yield TlsServers(ports, ca_file, client_cert, client_key, home, bin_dir / "psql")
    finally:
        for server in servers:
            server.stop()


def _dsn(port: int, mode: str, rootcert: Path | None) -> str:
    query = f"sslmode={mode}" + (f"&sslrootcert={rootcert}" if rootcert else "")
    return f"postgresql://postgres@127.0.0.1:{port}/postgres?{query}"


def _psql_connects(servers: TlsServers, dsn: str) -> bool:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    result = subprocess.run(
        [str(servers.psql), "-X", "-At", "-d", dsn, "-c", "select 1"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**env, "HOME": str(servers.empty_home)},
    )
    return result.returncode == 0


def _ehgtui_outcome(dsn: str) -> str | None:
    """None when ehgtui connects; else its one-line reason."""

    async def attempt() -> None:
        pool = await create_pool(resolve_target(dsn, env={}), connect_timeout=10)
        await close_quietly(pool)

    try:
        asyncio.run(attempt())
    except ConnectError as exc:
        return str(exc)
    return None


@pytest.fixture()
def empty_home(tls_servers: TlsServers, monkeypatch: pytest.MonkeyPatch) -> None:
    """No ~/.postgresql/root.crt: the home psql gets too."""
    monkeypatch.setenv("HOME", str(tls_servers.empty_home))


@pytest.mark.parametrize("server", ["right", "wronghost", "unknown-ca"])
@pytest.mark.parametrize("with_root", [True, False], ids=["sslrootcert", "no-root-cert"])
def test_every_sslmode_gives_libpqs_verdict(
    tls_servers: TlsServers, empty_home: None, server: str, with_root: bool
) -> None:
    rootcert = tls_servers.ca_file if with_root else None
    verdicts = {}
    for mode in SSL_MODES:
        dsn = _dsn(tls_servers.ports[server], mode, rootcert)
        ours = _ehgtui_outcome(dsn)
        assert (ours is None) == _psql_connects(tls_servers, dsn), (mode, ours)
        verdicts[mode] = ours is None
    # the cases that were silently downgraded to `require` before
    if server == "wronghost":
        assert verdicts["verify-full"] is False
        assert verdicts["verify-ca"] is with_root
    if server == "unknown-ca":
        assert verdicts["verify-ca"] is False and verdicts["verify-full"] is False
        assert verdicts["require"] is not with_root  # require checks the chain given a root


def test_verify_full_wrong_host_is_refused_with_a_clear_line(
    tls_servers: TlsServers, empty_home: None
) -> None:
    port = tls_servers.ports["wronghost"]
    reason = _ehgtui_outcome(_dsn(port, "verify-full", tls_servers.ca_file))
    assert reason is not None
    assert reason.startswith(
        "server certificate rejected (sslmode=verify-full): IP address mismatch, "
        "certificate is not valid for '127.0.0.1'."
    )


def test_verify_modes_without_a_root_certificate_name_the_missing_file(
    tls_servers: TlsServers,
) -> None:
    port = tls_servers.ports["wronghost"]
    home = tls_servers.empty_home
    for mode in ("verify-ca", "verify-full"):
        result = run_cli(
            "ping",
            "--dsn",
            f"postgresql://postgres@127.0.0.1:{port}/postgres?sslmode={mode}",
            env={"HOME": str(home)},
        )
        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            f'ehgtui: root certificate file "{home}/.postgresql/root.crt" does not exist: '
            f"sslmode={mode} checks the server's certificate against it (give "
            "sslrootcert=FILE or sslrootcert=system, or use sslmode=require) "
            f"(postgresql://postgres@127.0.0.1:{port}/postgres?sslmode={mode})"
        ]


def test_pg_variables_and_default_root_cert_are_honoured(tls_servers: TlsServers) -> None:
    """PGSSLMODE and PGSSLROOTCERT, and ~/.postgresql/root.crt when neither names a file."""
    port = tls_servers.ports["wronghost"]
    env = {"PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": "postgres"}
    env |= {"PGDATABASE": "postgres", "HOME": str(tls_servers.empty_home)}
    strict = run_cli("ping", env={**env, "PGSSLMODE": "verify-full"})
    assert strict.returncode == 2 and "root.crt" in strict.stderr
    ca_env = {**env, "PGSSLROOTCERT": str(tls_servers.ca_file)}
    assert run_cli("ping", env={**ca_env, "PGSSLMODE": "verify-full"}).returncode == 2
    assert run_cli("ping", env={**ca_env, "PGSSLMODE": "verify-ca"}).returncode == 0
    keyword = f"host=127.0.0.1 port={port} dbname=postgres user=postgres sslmode=verify-ca"
    home = shared_dir(tls_servers.empty_home.parent / "home-with-root")
    (home / ".postgresql").mkdir(exist_ok=True)
    shutil.copy(tls_servers.ca_file, home / ".postgresql" / "root.crt")
    assert run_cli("ping", "--dsn", keyword, env={"HOME": str(home)}).returncode == 0
    right = tls_servers.ports["right"]
    full = f"postgresql://postgres@localhost:{right}/postgres?sslmode=verify-full"
    assert run_cli("ping", "--dsn", full, env={"HOME": str(home)}).returncode == 0


def test_client_certificate_from_sslcert_and_sslkey(
    tls_servers: TlsServers, empty_home: None
) -> None:
    """sslcert/sslkey are sent, as libpq sends them; without them `cert` auth refuses us."""
    port = tls_servers.ports["client-cert"]
    base = _dsn(port, "verify-full", tls_servers.ca_file)
    with_cert = f"{base}&sslcert={tls_servers.client_cert}&sslkey={tls_servers.client_key}"
    assert _psql_connects(tls_servers, with_cert)
    assert _ehgtui_outcome(with_cert) is None
    assert not _psql_connects(tls_servers, base)
    refused = _ehgtui_outcome(base)
    assert refused is not None
    assert refused.startswith("not authorised: connection requires a valid client certificate")
    no_key = f"{base}&sslcert={tls_servers.client_cert}&sslkey={tls_servers.client_key}.gone"
    assert _ehgtui_outcome(no_key) == (
        f'certificate present, but not private key file "{tls_servers.client_key}.gone" ({no_key})'
    )


def test_client_certificate_from_pg_variables_and_home(tls_servers: TlsServers) -> None:
    """PGSSLCERT/PGSSLKEY, and ~/.postgresql/postgresql.crt and .key when none is named."""
    port = tls_servers.ports["client-cert"]
    env = {"PGHOST": "127.0.0.1", "PGPORT": str(port), "PGUSER": "postgres"}
    env |= {"PGDATABASE": "postgres", "PGSSLMODE": "verify-ca"}
    env |= {"PGSSLROOTCERT": str(tls_servers.ca_file), "HOME": str(tls_servers.empty_home)}
    assert run_cli("ping", env=env).returncode == 2
    named = {"PGSSLCERT": str(tls_servers.client_cert), "PGSSLKEY": str(tls_servers.client_key)}
    assert run_cli("ping", env={**env, **named}).returncode == 0
    home = shared_dir(tls_servers.empty_home.parent / "home-with-client-cert")
    (home / ".postgresql").mkdir(exist_ok=True)
    shutil.copy(tls_servers.client_cert, home / ".postgresql" / "postgresql.crt")
    shutil.copy(tls_servers.client_key, home / ".postgresql" / "postgresql.key")
    result = run_cli("ping", env={**env, "HOME": str(home)})
    assert result.returncode == 0, result.stderr


def test_sslrootcert_system(tls_servers: TlsServers, empty_home: None) -> None:
    """`system` trusts the system's roots (which never hold the test CA) and demands
    verify-full, as libpq 16+ does."""
    port = tls_servers.ports["right"]
    base = f"postgresql://postgres@127.0.0.1:{port}/postgres?sslrootcert=system"
    refused = _ehgtui_outcome(f"{base}&sslmode=verify-full")
    assert refused is not None
    assert refused.startswith(
        "server certificate rejected (sslmode=verify-full): unable to get local issuer certificate"
    )
    assert _ehgtui_outcome(f"{base}&sslmode=verify-ca") == (
        'sslmode=verify-ca may not be used with sslrootcert=system (use "verify-full") '
        f"({base}&sslmode=verify-ca)"
    )
