"""Embedded demo server: never orphaned, recovers a stale pid file, shared by two processes.

Every test uses a private demo cluster (XDG_DATA_HOME in a module temp dir, built once) and
runs the real `ehgtui --demo` TUI in a pseudo-terminal, then signals it as a user would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from ehgtui.demo.lifecycle import DemoServer
from tests.reliability.conftest import run_cli
from tests.reliability.terminal import DEADLINE_SECONDS, PtyProcess


@pytest.fixture(scope="module")
def data_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A private XDG_DATA_HOME holding an already built demo cluster (stopped)."""
    home = tmp_path_factory.mktemp("demo-home")
    demo = DemoServer(home / "ehgtui" / "demo")
    demo.start()
    demo.release()
    assert demo.server.running_port() is None
    yield home
    DemoServer(home / "ehgtui" / "demo").stop()


def _demo(home: Path) -> DemoServer:
    return DemoServer(home / "ehgtui" / "demo")


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env |= {"XDG_DATA_HOME": str(home), "TERM": "xterm-256color"}
    return env


def _postgres_processes(data_dir: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = " ".join(proc.info.get("cmdline") or [])
        if proc.info.get("name") == "postgres" and str(data_dir) in cmdline:
            found.append(proc)
    return found


def _wait_no_postgres(data_dir: Path) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while _postgres_processes(data_dir):
        assert time.monotonic() < deadline, "postgres is still running"
        time.sleep(0.05)


def _start_tui(home: Path) -> PtyProcess:
    """`ehgtui --demo` in a pty, returned once it holds the running demo server."""
    demo = _demo(home)
    tui = PtyProcess(["--demo"], _env(home))
    holder = demo.root / "holders" / str(tui.process.pid)
    try:
        tui.wait_until(
            lambda: holder.exists() and demo.server.running_port() is not None,
            "the TUI to hold the demo server",
        )
        tui.wait_until(lambda: "tables" in tui.text(), "the catalog to load")
    except BaseException:
        tui.close()  # a TUI that never got there must not outlive the test
        raise
    return tui


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signal_stops_the_demo_server(data_home: Path, sig: signal.Signals) -> None:
    demo = _demo(data_home)
    tui = _start_tui(data_home)
    try:
        assert _postgres_processes(demo.server.data_dir)
        tui.process.send_signal(sig)
        assert tui.wait_exit() == 128 + sig
    finally:
        tui.close()
    _wait_no_postgres(demo.server.data_dir)
    assert demo.server.running_port() is None
    assert not (demo.root / "holders" / str(tui.process.pid)).exists()
    assert "Traceback" not in tui.text()


def test_sigkill_leaves_server_until_the_next_run_prunes_it(data_home: Path) -> None:
    demo = _demo(data_home)
    tui = _start_tui(data_home)
    try:
        tui.process.send_signal(signal.SIGKILL)
        tui.wait_exit()
    finally:
        tui.close()
    # nobody could stop it: the server survives, with a dead holder
    assert demo.server.running_port() is not None
    assert (demo.root / "holders" / str(tui.process.pid)).exists()
    # the next ehgtui start and exit prunes the dead holder and stops the server
    result = run_cli("tables", "--demo", env={"XDG_DATA_HOME": str(data_home)})
    assert result.returncode == 0, result.stderr
    assert "strategic_directives_v2" in result.stdout
    _wait_no_postgres(demo.server.data_dir)
    assert not (demo.root / "holders").exists() or not list((demo.root / "holders").iterdir())


def test_stale_postmaster_pid_is_recovered(data_home: Path) -> None:
    demo = _demo(data_home)
    demo.server.start()
    pid_file = demo.server.data_dir / "postmaster.pid"
    contents = pid_file.read_text()
    demo.server.stop()
    # a crash or a reboot leaves the file behind, naming a process that no longer exists
    gone = subprocess.Popen(["true"])
    gone.wait(timeout=DEADLINE_SECONDS)
    lines = contents.splitlines()
    lines[0] = str(gone.pid)
    pid_file.write_text("\n".join(lines) + "\n")
    assert demo.server.running_port() is None
    result = run_cli("tables", "--demo", env={"XDG_DATA_HOME": str(data_home)})
    assert result.returncode == 0, result.stderr
    assert "strategic_directives_v2" in result.stdout
    _wait_no_postgres(demo.server.data_dir)
    assert demo.server.running_port() is None
    assert not pid_file.exists()


def test_two_demo_processes_share_the_server(data_home: Path) -> None:
    demo = _demo(data_home)
    first = _start_tui(data_home)
    second = _start_tui(data_home)
    try:
        port = demo.server.running_port()
        assert {p.name for p in (demo.root / "holders").iterdir()} >= {
            str(first.process.pid),
            str(second.process.pid),
        }
        # a third, short-lived user comes and goes: the server stays for the two TUIs
        result = run_cli("tables", "--demo", env={"XDG_DATA_HOME": str(data_home)})
        assert result.returncode == 0, result.stderr
        assert demo.server.running_port() == port
        first.process.send_signal(signal.SIGTERM)
        first.wait_exit()
        assert demo.server.running_port() == port  # the second still holds it
        second.process.send_signal(signal.SIGTERM)
        second.wait_exit()
    finally:
        first.close()
        second.close()
    _wait_no_postgres(demo.server.data_dir)
