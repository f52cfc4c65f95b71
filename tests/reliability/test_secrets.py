"""Secrets: the DSN's password never shows: not on screen, in output, errors, files or tasks.

The password server demands SCRAM, so the password in these DSNs is the real one (or a
wrong one, for failures); every place ehgtui writes to is searched for it, in plain and
percent-encoded form.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ehgtui.catalog.cache import load_and_cache
from ehgtui.catalog.domain_settings import DomainSettings
from ehgtui.catalog.domains import classify
from ehgtui.catalog.serialize import to_data
from ehgtui.config import Config
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.ddl import table_ddl
from ehgtui.docs.render import render_docs
from ehgtui.tasks.registry import TaskSpec
from ehgtui.tasks.runner import run_task
from ehgtui.tui.app import build_app
from ehgtui.tui.widgets.connection_bar import ConnectionBar
from tests.reliability.conftest import SECRET_PASSWORD, PasswordServer, free_port, run_cli
from tests.tui.conftest import explorer, loaded

WRONG_PASSWORD = "Wr0ng#Passw0rd?"
RAW_PASSWORD = "p@ss word"
"""A wrong password written raw (not percent-encoded) into the DSN, as users do."""


def _needles(*passwords: str) -> list[str]:
    from urllib.parse import quote

    found = []
    for password in passwords:
        found += [password, quote(password, safe="")]
    return found


def _assert_clean(text: str, where: str) -> None:
    for needle in [*_needles(SECRET_PASSWORD, WRONG_PASSWORD, RAW_PASSWORD), "p@ss", "ss word"]:
        assert needle not in text, f"password found in {where}"


def _assert_tree_clean(root: Path) -> int:
    """Search every file under root; return how many files were searched."""
    count = 0
    for path in root.rglob("*"):
        if path.is_file():
            _assert_clean(path.read_text(errors="replace"), str(path))
            count += 1
    return count


def test_successful_commands_never_print_the_password(
    password_server: PasswordServer, tmp_path: Path
) -> None:
    dsn = password_server.dsn("app")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    commands = [
        ["tables"],
        ["tables", "--json"],
        ["describe", "notes", "--json"],
        ["rows", "notes", "--json"],
        ["access", "notes"],
        ["ping"],
        ["ping", "--json"],
        ["check", "rls", "--json"],
        ["docs", str(tmp_path / "docs")],
        ["snapshot", str(tmp_path / "snap.json")],
        ["cache", "path"],
    ]
    for args in commands:
        result = run_cli(*args, "--dsn", dsn, env=env) if args[0] != "cache" else run_cli(*args)
        assert result.returncode in (0, 1), (args, result.stderr)
        _assert_clean(result.stdout + result.stderr, " ".join(args[:2]))
    ping = run_cli("ping", "--dsn", dsn)
    assert f"app_user:***@127.0.0.1:{password_server.port}/app" in ping.stdout
    assert _assert_tree_clean(tmp_path) >= 3  # docs pages and the snapshot were searched
    assert "notes" in (tmp_path / "snap.json").read_text()


def test_failing_commands_never_print_the_password(
    password_server: PasswordServer, tmp_path: Path
) -> None:
    wrong = password_server.dsn("app", password=WRONG_PASSWORD)
    right = password_server.dsn("app")
    closed = f"postgresql://u:{SECRET_PASSWORD}@127.0.0.1:{free_port()}/app"
    raw = f"postgresql://app_user:{RAW_PASSWORD}@127.0.0.1:{password_server.port}/app"
    commands = [
        ["tables", "--dsn", wrong],
        ["describe", "notes", "--dsn", wrong],
        ["describe", "nope", "--dsn", right],
        ["rows", "notes", "--where", "no_such_column = 1", "--dsn", right],
        ["rows", "notes", "--as", "no_such_role", "--dsn", right],
        ["access", "notes", "--dsn", wrong],
        ["check", "rls", "--dsn", closed],
        ["docs", str(tmp_path / "docs"), "--dsn", wrong],
        ["snapshot", "-", "--dsn", wrong],
        ["diff", wrong, right],
        ["diff", closed, str(tmp_path / "missing.json")],
        ["erd", "notes", "--dsn", wrong],
        ["ping", "--dsn", closed],
        ["ping", "--dsn", raw],
        ["tables", "--dsn", raw],
        ["diff", raw, right],
        ["migrations", "status", "--dsn", wrong],
        ["tables", "--dsn", right.replace("/app", "/app?sslmode=require")],
        ["tables", "--dsn", right.replace("127.0.0.1", "ehgtui-test.invalid")],
    ]
    for args in commands:
        result = run_cli(*args, cwd=tmp_path)
        assert result.returncode in (1, 2), (args, result.stdout, result.stderr)
        assert len(result.stderr.splitlines()) == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr
        _assert_clean(result.stdout + result.stderr, " ".join(args[:2]))
    for source in ({"DATABASE_URL": wrong}, {"PGPASSWORD": WRONG_PASSWORD}):
        env = dict(source)
        if "PGPASSWORD" in env:
            env |= {"PGHOST": "127.0.0.1", "PGPORT": str(password_server.port), "PGUSER": "x"}
        result = run_cli("tables", env=env, cwd=tmp_path)
        assert result.returncode == 2 and "authentication failed" in result.stderr
        _assert_clean(result.stdout + result.stderr, f"tables with {next(iter(source))}")


async def test_exports_and_cache_hold_no_password(
    password_server: PasswordServer, tmp_path: Path
) -> None:
    target = ConnectionTarget(password_server.dsn("app"), "--dsn")
    pool = await create_pool(target)
    try:
        catalog = await load_and_cache(pool, target.identity, ("public",), tmp_path / "cache")
    finally:
        await pool.close()
    cache_files = list((tmp_path / "cache").iterdir())
    assert len(cache_files) == 1
    assert oct(cache_files[0].stat().st_mode & 0o777) == "0o600"
    _assert_tree_clean(tmp_path / "cache")
    table = catalog.table("notes")
    assert table is not None
    ddl = table_ddl(table, catalog)
    assert "CREATE TABLE public.notes" in ddl
    _assert_clean(ddl, "DDL")
    docs = render_docs(catalog, classify(catalog, DomainSettings()))
    assert docs
    for name, text in docs.items():
        _assert_clean(text, f"docs {name}")
    _assert_clean(json.dumps(to_data(catalog), default=str), "the catalog model")


async def test_task_output_echoing_the_dsn_is_masked(password_server: PasswordServer) -> None:
    dsn = password_server.dsn("app")
    spec = TaskSpec("echo", ("echo", dsn, f"password={SECRET_PASSWORD}", SECRET_PASSWORD), None)
    result = await run_task(spec, secrets=[SECRET_PASSWORD])
    assert result.exit_status == 0
    (line,) = result.lines
    assert "app_user:***@127.0.0.1" in line and "password=***" in line
    _assert_clean(line, "task output")


@pytest.mark.parametrize("password", [SECRET_PASSWORD, WRONG_PASSWORD], ids=["right", "wrong"])
async def test_tui_never_renders_the_password(
    password_server: PasswordServer, tmp_path: Path, password: str
) -> None:
    target = ConnectionTarget(password_server.dsn("app", password=password), "--dsn")
    # no cache: the wrong-password run must not be shown the right run's cached catalog
    app = build_app(lambda: target, ("public",), Config(), use_cache=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        bar = explorer(app).query_one(ConnectionBar)
        assert "app_user:***@" in bar.target_label
        if password == SECRET_PASSWORD:
            assert screen.catalog is not None and screen.catalog.table("notes") is not None
        else:
            assert screen.catalog is None
        svg = app.export_screenshot()
    assert "app_user" in svg.replace("&#160;", " ")
    _assert_clean(svg, "the rendered screen")
    _assert_clean(bar.target_label, "the header")
