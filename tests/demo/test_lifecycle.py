"""The demo server's life: built once, reused, stopped by its last holder, never orphaned."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil

from ehgtui.demo.lifecycle import DEMO_DATABASE, DemoServer


def _postgres_processes(data_dir: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if proc.info.get("name") == "postgres" and str(data_dir) in " ".join(cmdline):
            found.append(proc)
    return found


def test_build_reuse_release(tmp_path: Path) -> None:
    demo = DemoServer(tmp_path / "demo")
    messages: list[str] = []
    dsn = demo.start(progress=messages.append)
    assert dsn.endswith(f"/{DEMO_DATABASE}")
    assert any("building the demo schema" in m for m in messages)
    count = subprocess.run(
        [
            str(demo.server.bin_dir / "psql"),
            "-X",
            "-At",
            "-d",
            dsn,
            "-c",
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert int(count) >= 850

    again: list[str] = []
    assert demo.start(progress=again.append) == dsn  # reused: no rebuild, same server
    assert not any("building" in m for m in again)

    demo.release()
    assert _postgres_processes(demo.server.data_dir) == []
    assert demo.server.running_port() is None


def test_pinned_server_survives_release_until_stop(tmp_path: Path) -> None:
    demo = DemoServer(tmp_path / "demo")
    demo.start(pin=True)
    demo.release()
    assert demo.server.running_port() is not None
    assert demo.stop() is True
    assert demo.server.running_port() is None
    assert demo.stop() is False


def test_killed_holder_does_not_keep_server_alive(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    code = (
        "import os, sys; from pathlib import Path; "
        "from ehgtui.demo.lifecycle import DemoServer; "
        f"DemoServer(Path({str(root)!r})).start(); os._exit(9)"  # dies without releasing
    )
    subprocess.run([sys.executable, "-c", code], check=False, timeout=300)
    demo = DemoServer(root)
    assert demo.server.running_port() is not None
    demo.start()
    demo.release()  # the dead holder is pruned, so the last live holder stops the server
    assert demo.server.running_port() is None
    assert _postgres_processes(demo.server.data_dir) == []
