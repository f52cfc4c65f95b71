"""Secret-looking columns never leave the server unmasked: pages, cells, JSON, CSV, text."""

from __future__ import annotations

import json
import subprocess
import sys

import asyncpg
import pytest

from ehgtui.catalog.model import Catalog
from ehgtui.demo.schema_rows import USER_A_EMAIL
from ehgtui.rows.masking import MASK, is_secret
from ehgtui.rows.query import RowRequest, fetch_page, fetch_value
from ehgtui.rows.settings import RowSettings, RowSettingsError, settings_from_config
from tests.pg import TestServer

HASH_PREFIX = "$2a$10$"
"""How every demo password hash starts: it must never show without --show-secrets."""


@pytest.mark.parametrize(
    "name",
    ["encrypted_password", "password_hash", "api_token", "API_KEY", "apikey", "client_secret",
     "secret_hash", "private_key", "access_token", "token", "token_hash"],
)  # fmt: skip
def test_secret_names_are_masked(name: str) -> None:
    assert is_secret(name)


@pytest.mark.parametrize("name", ["token_count", "tokens_used", "max_tokens", "path_tokens", "id"])
def test_counters_and_plain_names_are_not(name: str) -> None:
    assert not is_secret(name)


def test_the_pattern_and_the_switch_come_from_the_config() -> None:
    settings = settings_from_config(
        {"rows": {"enabled": False, "secret_pattern": "^note$", "statement_timeout": 2}}
    )
    assert not settings.enabled and settings.statement_timeout == 2.0
    assert is_secret("note", settings.secret_pattern)
    assert not is_secret("password", settings.secret_pattern)
    with pytest.raises(RowSettingsError, match="statement_timeout"):
        settings_from_config({"rows": {"statement_timeout": "soon"}})


async def test_pages_and_cells_mask_unless_asked(pool: asyncpg.Pool, catalog: Catalog) -> None:
    users = catalog.table("auth.users")
    assert users is not None
    page = await fetch_page(pool, users, RowRequest(), RowSettings())
    column = page.column_names.index("encrypted_password")
    assert page.columns[column].masked
    assert {row[column] for row in page.rows} == {MASK}
    assert HASH_PREFIX not in repr(page.rows)
    assert await fetch_value(pool, users, page.keys[0], "encrypted_password", RowSettings()) == MASK
    shown = await fetch_page(pool, users, RowRequest(show_secrets=True), RowSettings())
    assert all(row[column].startswith(HASH_PREFIX) for row in shown.rows)
    whole = await fetch_value(
        pool, users, page.keys[0], "encrypted_password", RowSettings(), show_secrets=True
    )
    assert whole is not None and whole.startswith(HASH_PREFIX)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ehgtui", *args],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


def test_cli_output_masks_in_every_format(pg18: TestServer) -> None:
    dsn = pg18.dsn(pg18.demo_database())
    for extra in ([], ["--csv"], ["--json"]):
        result = run_cli("rows", "auth.users", "--dsn", dsn, *extra)
        assert result.returncode == 0, result.stderr
        assert HASH_PREFIX not in result.stdout
        values = json.loads(result.stdout)["rows"][0].values() if "--json" in extra else None
        assert MASK in (values or result.stdout)
    data = json.loads(run_cli("rows", "auth.users", "--dsn", dsn, "--json").stdout)
    assert data["seen_as"] == "postgres (the connection's role)"
    assert {r["encrypted_password"] for r in data["rows"]} == {MASK}
    shown = run_cli("rows", "auth.users", "--dsn", dsn, "--csv", "--show-secrets")
    assert shown.returncode == 0 and HASH_PREFIX in shown.stdout


def test_cli_rows_refusals_and_access(pg18: TestServer) -> None:
    dsn = pg18.dsn(pg18.demo_database())
    off = run_cli("rows", "ventures", "--dsn", dsn, "--no-rows")
    assert off.returncode == 2 and off.stdout == ""
    assert off.stderr == (
        "ehgtui: row access is switched off (--no-rows or [rows] enabled = false in the config)\n"
    )
    bad = run_cli("rows", "ventures", "--dsn", dsn, "--where", "true; DELETE FROM ventures")
    assert bad.returncode == 1 and bad.stderr == (
        "ehgtui: the condition must be one expression, without ';'\n"
    )
    as_a = run_cli("rows", "ventures", "--dsn", dsn, "--user", USER_A_EMAIL, "--json")
    assert as_a.returncode == 0, as_a.stderr
    assert sorted(r["slug"] for r in json.loads(as_a.stdout)["rows"]) == [
        "rows-demo-1",
        "rows-demo-2",
    ]
    access = run_cli("access", "compliance_policies", "--dsn", dsn, "--json")
    assert access.returncode == 0, access.stderr
    matrix = json.loads(access.stdout)
    by_role = {row["role"]: row for row in matrix["rows"]}
    assert by_role["anon"]["cells"][0]["visible_rows"] == 0
    assert by_role["authenticated"]["cells"][0]["permissive"] == ["Admins manage"]
