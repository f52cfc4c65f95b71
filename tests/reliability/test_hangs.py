"""Hangs: every wait on the network is bounded once connected.

A proxy that stops forwarding and a server that is SIGSTOPped both keep the TCP connection
open and answer nothing, so only a client-side bound ends the wait: the command timeout
(`--timeout`, `EHGTUI_TIMEOUT`, config `timeout`). The commands must end at that bound with
one line, not when the stall ends.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.db.failures import ServerTimeoutError
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.demo.server import LocalServer, embedded_bin_dir
from tests.pg import TestServer
from tests.reliability.conftest import run_cli, shared_dir
from tests.reliability.stall_proxy import stalling_proxy

TIMEOUT = 2.0
"""The command timeout the tests set: short, so that a bounded wait ends quickly."""

SLACK_SECONDS = 6.0
"""Allowed on top of TIMEOUT: interpreter start, connecting, closing; far below a stall."""

STALL_SECONDS = 40.0
"""How long a stall would last if nothing bounded the wait: the subprocess's own limit."""

SCHEMA = "CREATE TABLE hub (id int PRIMARY KEY, note text);"


@pytest.fixture(scope="module")
def database(pg18: TestServer) -> str:
    return pg18.create_database("hang", SCHEMA)


def _port(pg: TestServer) -> int:
    port = pg.server.running_port()
    assert port is not None
    return port


def _assert_timed_out(result_stderr: str, seconds: float, words: str) -> None:
    lines = result_stderr.strip().splitlines()
    assert len(lines) == 1, result_stderr
    assert words in lines[0], lines[0]
    assert "Traceback" not in result_stderr
    assert seconds < TIMEOUT + SLACK_SECONDS, f"took {seconds:.1f}s"


@pytest.mark.parametrize("command", [("tables",), ("describe", "hub")], ids=["tables", "describe"])
def test_a_proxy_that_stops_forwarding_times_out_at_the_bound(
    pg18: TestServer, database: str, command: tuple[str, ...]
) -> None:
    with stalling_proxy(_port(pg18), stall_on=b"BEGIN") as proxy:
        dsn = f"postgresql://postgres@127.0.0.1:{proxy.port}/{database}"
        started = time.monotonic()
        result = run_cli(
            *command,
            "--dsn",
            dsn,
            "--no-cache",
            "--timeout",
            f"{TIMEOUT:g}",
            timeout=STALL_SECONDS,
        )
        seconds = time.monotonic() - started
        assert proxy.has_stalled  # connected, then the first statement was held
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    _assert_timed_out(result.stderr, seconds, f"the server did not answer within {TIMEOUT:g}s")


def test_the_timeout_comes_from_the_environment_and_the_config(
    pg18: TestServer, database: str, tmp_path: Path
) -> None:
    with stalling_proxy(_port(pg18), stall_on=b"BEGIN") as proxy:
        dsn = f"postgresql://postgres@127.0.0.1:{proxy.port}/{database}"
        result = run_cli(
            "tables",
            "--dsn",
            dsn,
            "--no-cache",
            env={"EHGTUI_TIMEOUT": "1.5"},
            timeout=STALL_SECONDS,
        )
    assert "within 1.5s" in result.stderr, result.stderr
    (tmp_path / ".ehgtui.toml").write_text("timeout = 2.5\n")
    with stalling_proxy(_port(pg18), stall_on=b"BEGIN") as proxy:
        dsn = f"postgresql://postgres@127.0.0.1:{proxy.port}/{database}"
        result = run_cli("tables", "--dsn", dsn, "--no-cache", cwd=tmp_path, timeout=STALL_SECONDS)
    assert "within 2.5s" in result.stderr, result.stderr
    # and nothing stalls: the same command through the proxy works
    with stalling_proxy(_port(pg18)) as proxy:
        dsn = f"postgresql://postgres@127.0.0.1:{proxy.port}/{database}"
        result = run_cli("tables", "--dsn", dsn, "--no-cache", "--timeout", "5")
    assert result.returncode == 0, result.stderr
    assert "hub" in result.stdout


def test_a_bad_timeout_is_one_line(tmp_path: Path) -> None:
    result = run_cli("tables", "--dsn", "postgresql://u@127.0.0.1:1/x", "--timeout", "0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    (tmp_path / ".ehgtui.toml").write_text("timeout = 'soon'\n")
    result = run_cli("tables", "--dsn", "postgresql://u@127.0.0.1:1/x", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(
        "timeout must be a positive number of seconds, not 'soon'"
    )


# --- a server that stops answering: SIGSTOP ------------------------------------------------


@pytest.fixture(scope="module")
def private_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    """A server of this module's own: SIGSTOPping the shared one would stall other tests."""
    root = shared_dir(tmp_path_factory.mktemp("stopped"))
    server = LocalServer(embedded_bin_dir(), root / "data")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _server_pids(server: LocalServer) -> list[int]:
    """The postmaster and every process it started."""
    postmaster = int((server.data_dir / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == postmaster:
                pids.append(int(entry.name))
    return pids


@contextmanager
def stopped(server: LocalServer) -> Iterator[None]:
    """The whole server SIGSTOPped (continued afterwards, whatever happens)."""
    pids = _server_pids(server)
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


async def test_a_stopped_server_times_out_a_load_at_the_bound(private_server: LocalServer) -> None:
    target = ConnectionTarget(private_server.dsn(), "test")
    pool = await create_pool(target, command_timeout=TIMEOUT)
    try:
        assert (await load_catalog(pool, ["pg_catalog"])).tables  # connected and loading
        with stopped(private_server):
            started = time.monotonic()
            with pytest.raises(ServerTimeoutError, match=f"within {TIMEOUT:g}s"):
                await asyncio.wait_for(load_catalog(pool, ["pg_catalog"]), STALL_SECONDS)
            seconds = time.monotonic() - started
        assert seconds < TIMEOUT + 2, f"took {seconds:.1f}s"
        # once the server runs again, the pool opens new connections and loads
        assert (await load_catalog(pool, ["pg_catalog"])).tables
    finally:
        pool.terminate()


def test_a_stopped_server_times_out_the_connection_at_the_bound(
    private_server: LocalServer,
) -> None:
    dsn = private_server.dsn() + f"?connect_timeout={TIMEOUT:g}"
    with stopped(private_server):
        started = time.monotonic()
        result = run_cli("tables", "--dsn", dsn, "--no-cache", timeout=STALL_SECONDS)
        seconds = time.monotonic() - started
    assert result.returncode == 2
    _assert_timed_out(result.stderr, seconds, f"connection timed out after {TIMEOUT:g}s")
