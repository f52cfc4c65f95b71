"""`ehgtui check` and `ehgtui ping` as scripts run them: JSON, exit status, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.checks.supabase_sql import STANDINS_SQL, conventional_table
from tests.pg import TestServer


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ehgtui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def clean_dsn(pg18: TestServer) -> str:
    return pg18.dsn(pg18.create_database("clean", STANDINS_SQL + conventional_table("tidy")))


@pytest.fixture(scope="module")
def demo_dsn(pg18: TestServer) -> str:
    return pg18.dsn(pg18.demo_database())


def test_rls_errors_exit_1_with_json(demo_dsn: str) -> None:
    result = run_cli("check", "rls", "--dsn", demo_dsn, "--json")
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)
    assert {f["check"] for f in findings} == {"rls"}
    assert {
        "check": "rls",
        "level": "error",
        "table": "public.temp_import_rows",
        "code": "rls_disabled_in_public",
        "message": "RLS is disabled, yet anon/authenticated hold DELETE, INSERT, SELECT, "
        "UPDATE: every row is open through the API",
        "source": "splinter:0013_rls_disabled_in_public",
        "object_kind": "table",
        "categories": [],
    } in findings


def test_security_names_each_object_by_kind(demo_dsn: str) -> None:
    """Findings on functions and extensions carry their kind and catalog key (JSON), and the
    text names the kind before the object."""
    result = run_cli("check", "security", "--dsn", demo_dsn, "--json")
    assert result.returncode == 1, result.stderr  # security_definer_view is an error
    findings = json.loads(result.stdout)
    objects = {(f["object_kind"], f["table"], f["code"]) for f in findings}
    assert ("function", "public.refresh_portfolio_summary()",
            "anon_security_definer_function_executable") in objects  # fmt: skip
    assert ("extension", "citext", "extension_in_public") in objects
    assert ("table", "public.sd_dashboard", "security_definer_view") in objects
    assert {tuple(f["categories"]) for f in findings} == {("SECURITY",)}
    text = run_cli("check", "security", "--dsn", demo_dsn)
    assert any(
        line.split()[:4] == ["warning", "extension", "pg_trgm", "extension_versions_outdated"]
        for line in text.stdout.splitlines()
    )


def test_clean_database_exits_0(clean_dsn: str) -> None:
    for check in ("rls", "conventions", "security"):
        result = run_cli("check", check, "--dsn", clean_dsn)
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""
        assert result.stderr.strip() == "no findings"


def test_conventions_text_output(demo_dsn: str) -> None:
    result = run_cli("check", "conventions", "--dsn", demo_dsn)
    assert result.returncode == 1  # rls_not_enabled is an error
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["level", "object", "code", "message"]
    assert any(
        line.split()[:3] == ["warning", "public.sd_execution_timeline", "duplicate_index"]
        for line in lines
    )
    assert result.stderr.strip().endswith("info")


def test_bad_dsn_is_one_line(clean_dsn: str) -> None:
    result = run_cli("check", "rls", "--dsn", "mysql://nope")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_ping_json(clean_dsn: str, pg18: TestServer) -> None:
    result = run_cli("ping", "--dsn", clean_dsn, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["server_version_num"] // 10000 == pg18.major
    assert data["current_user"] == "postgres" and data["database"] == clean_dsn.rsplit("/", 1)[1]
    assert data["default_transaction_read_only"] is False
    assert data["transaction_read_only"] is True  # inside ehgtui's read-only transaction
    assert len(data["samples_ms"]) == 3 and data["round_trip_ms"] == min(data["samples_ms"])


def test_ping_reports_a_read_only_default(pg18: TestServer) -> None:
    database = pg18.create_database("ro")
    pg18.psql(
        "postgres",
        f"ALTER DATABASE {database} SET default_transaction_read_only = on",
        single_transaction=False,
    )
    result = run_cli("ping", "--dsn", pg18.dsn(database))
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["default_transaction_read_only"] == "on"
    assert lines["transaction_read_only"] == "on (ehgtui's reads)"
    assert lines["server"].startswith(f"PostgreSQL {pg18.major}.")


def _run_on_a_terminal(*args: str, env: dict[str, str]) -> str:
    """Run the CLI with stdout on a pseudo-terminal; return what it wrote there."""
    import os
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ehgtui", *args],
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_levels_are_coloured_on_a_terminal_only(demo_dsn: str) -> None:
    coloured = _run_on_a_terminal("check", "rls", "--dsn", demo_dsn, env={"NO_COLOR": ""})
    assert "\x1b[31m\x1b[1merror" in coloured or "\x1b[1m\x1b[31merror" in coloured
    assert "error  \x1b[0m  " in coloured  # padded before colouring: the columns stay aligned
    plain = _run_on_a_terminal("check", "rls", "--dsn", demo_dsn, env={"NO_COLOR": "1"})
    assert "\x1b[" not in plain and "error" in plain
    piped = run_cli("check", "rls", "--dsn", demo_dsn)
    assert "\x1b[" not in piped.stdout and "error" in piped.stdout
