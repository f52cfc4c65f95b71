"""The catalog cache on disk, against a real server: contents, secrecy, mode, bad files, refresh."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from ehgtui.catalog.cache import (
    CACHE_FORMAT,
    cache_dir,
    cache_path,
    clear_cache,
    load_and_cache,
    read_cached,
    read_cached_tables,
    refresh_if_changed,
    save_cached,
)
from ehgtui.catalog.fingerprint import fetch_fingerprint
from ehgtui.catalog.serialize import to_data
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.diff.snapshot import read_snapshot
from tests.pg import TestServer

PASSWORD = "S3cr3t-pw"
"""The tester role's password: it is in the DSN and must never reach the cache."""

SCHEMA_SQL = """
DO $$BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tester') THEN
        CREATE ROLE tester LOGIN PASSWORD 'S3cr3t-pw';
    END IF;
END$$;
CREATE TABLE sd_items (id int PRIMARY KEY, title text NOT NULL);
COMMENT ON TABLE sd_items IS 'items';
ALTER TABLE sd_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_read ON sd_items FOR SELECT USING (true);
CREATE TABLE ventures (id int PRIMARY KEY, item_id int REFERENCES sd_items(id));
"""


@pytest.fixture
def database(pg18: TestServer) -> str:
    return pg18.create_database("cache", SCHEMA_SQL)


def _tester_target(pg18: TestServer, database: str) -> ConnectionTarget:
    """Connect as a role with a password (trust auth over TCP: unchecked, but in the DSN)."""
    port = pg18.server.running_port()
    return ConnectionTarget(f"postgresql://tester:{PASSWORD}@127.0.0.1:{port}/{database}", "test")


def _listing(directory: Path) -> list[Path]:
    return sorted(directory.iterdir())


def _executed(pg: TestServer, database: str) -> int:
    """Queries ehgtui ran in database: extended-protocol ones and one-trip ones."""
    log = (pg.server.data_dir / "server.log").read_text(errors="replace")
    queries = r"(?:execute |statement: BEGIN READ ONLY; DO \$ehgtui_one_trip\$)"
    return len(re.findall(rf"\] {re.escape(database)} ehgtui: LOG:  {queries}", log))


async def test_saved_catalog_reads_back_whole(
    pg18: TestServer, database: str, tmp_path: Path
) -> None:
    target = _tester_target(pg18, database)
    pool = await create_pool(target)
    try:
        catalog = await load_and_cache(pool, target.identity, ("public",), tmp_path)
        fingerprint = await fetch_fingerprint(pool, ["public"])
    finally:
        await pool.close()
    path = cache_path(target.identity, ("public",), tmp_path)
    document = json.loads(path.read_text())
    assert document["format"] == CACHE_FORMAT
    assert document["identity"] == f"tester@127.0.0.1:{pg18.server.running_port()}/{database}"
    assert document["fingerprint"] == fingerprint
    assert set(document) == {
        "format",
        "catalog_at",
        "ehgtui",
        "fingerprint",
        "identity",
        "schemas",
        "saved_at",
        "relations",
        "tables_at",
        "spans",
        "table_fingerprints",
        "catalog",
    }
    assert document["relations"] == [
        ["public", "sd_items", "table", []],
        ["public", "ventures", "table", ["public.sd_items"]],
    ]
    stored = document["table_fingerprints"]
    assert [[schema, name] for schema, name, _value in stored["tables"]] == [
        ["public", "sd_items"],
        ["public", "ventures"],
    ]
    assert len(stored["names"]) == 32
    found = read_cached(target.identity, ("public",), tmp_path)
    assert found.warning is None and found.cached is not None
    cached = found.cached
    assert cached.fingerprint == fingerprint
    assert 0 <= cached.age_seconds < 3600
    assert to_data(cached.catalog) == to_data(catalog)
    items = cached.catalog.table("sd_items")
    assert items is not None and items.comment == "items" and items.rls_enabled
    assert [p.name for p in items.policies] == ["items_read"]
    assert cached.catalog.server.current_user == "tester"
    # `ehgtui diff` takes a cache file as a side, as it is
    assert to_data(read_snapshot(path)) == to_data(catalog)


async def test_cache_file_holds_no_password_and_is_private(
    pg18: TestServer, database: str, tmp_path: Path
) -> None:
    target = _tester_target(pg18, database)
    assert PASSWORD in target.dsn
    pool = await create_pool(target)
    try:
        await load_and_cache(pool, target.identity, ("public",), tmp_path)
    finally:
        await pool.close()
    files = _listing(tmp_path)
    assert len(files) == 1
    raw = files[0].read_bytes()
    for secret in (PASSWORD, quote(PASSWORD), PASSWORD.lower()):
        assert secret.encode() not in raw
        assert secret not in files[0].name
    assert b"tester@127.0.0.1" in raw
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600


async def test_truncated_cache_is_ignored_then_replaced(
    pg18: TestServer, database: str, tmp_path: Path
) -> None:
    target = _tester_target(pg18, database)
    pool = await create_pool(target)
    try:
        await load_and_cache(pool, target.identity, ("public",), tmp_path)
        path = cache_path(target.identity, ("public",), tmp_path)
        text = path.read_text()
        path.write_text(text[: len(text) // 2])
        found = read_cached(target.identity, ("public",), tmp_path)
        assert found.cached is None
        assert found.warning is not None and "\n" not in found.warning
        assert "corrupt or truncated" in found.warning and str(path) in found.warning
        await load_and_cache(pool, target.identity, ("public",), tmp_path)
    finally:
        await pool.close()
    again = read_cached(target.identity, ("public",), tmp_path)
    assert again.warning is None and again.cached is not None
    assert again.cached.catalog.table("ventures") is not None
    assert [p.name for p in _listing(tmp_path)] == [path.name]  # no temporary file left


async def test_other_format_version_is_ignored(
    pg18: TestServer, database: str, tmp_path: Path
) -> None:
    target = _tester_target(pg18, database)
    pool = await create_pool(target)
    try:
        await load_and_cache(pool, target.identity, ("public",), tmp_path)
    finally:
        await pool.close()
    path = cache_path(target.identity, ("public",), tmp_path)
    document = json.loads(path.read_text())
    path.write_text(json.dumps(document | {"format": CACHE_FORMAT + 1}))
    found = read_cached(target.identity, ("public",), tmp_path)
    assert found.cached is None
    assert found.warning is not None and f"format {CACHE_FORMAT + 1}" in found.warning
    path.write_text(json.dumps(document | {"catalog": {"tables": "nonsense"}}))
    malformed = read_cached(target.identity, ("public",), tmp_path)
    assert malformed.cached is None and "malformed" in (malformed.warning or "")
    # a value of the wrong type deep in the model (another version's layout) is refused too
    table = document["catalog"]["tables"][0]
    wrong = document["catalog"] | {"tables": [table | {"columns": [{"name": 1}]}]}
    path.write_text(json.dumps(document | {"catalog": wrong}))
    mistyped = read_cached(target.identity, ("public",), tmp_path)
    assert mistyped.cached is None and "malformed" in (mistyped.warning or "")


def test_missing_cache_is_no_warning(tmp_path: Path) -> None:
    found = read_cached("postgres@127.0.0.1:5432/none", ("public",), tmp_path)
    assert found.cached is None and found.warning is None


async def test_refresh_only_loads_when_the_fingerprint_moved(
    pg18: TestServer, database: str, tmp_path: Path
) -> None:
    target = ConnectionTarget(pg18.dsn(database), "test")
    pool = await create_pool(target)
    try:
        await load_and_cache(pool, target.identity, ("public",), tmp_path)
        cached = read_cached(target.identity, ("public",), tmp_path).cached
        assert cached is not None
        pg18.psql(database, "INSERT INTO sd_items VALUES (1, 'data only'); ANALYZE sd_items;")
        before = _executed(pg18, database)
        assert await refresh_if_changed(pool, cached) is None
        assert _executed(pg18, database) - before == 1  # the fingerprint query alone

        pg18.psql(database, "ALTER TABLE ventures ADD COLUMN stage text")
        refreshed = await refresh_if_changed(pool, cached)
    finally:
        await pool.close()
    assert refreshed is not None
    ventures = refreshed.table("ventures")
    assert ventures is not None and [c.name for c in ventures.columns] == ["id", "item_id", "stage"]
    resaved = read_cached(target.identity, ("public",), tmp_path).cached
    assert resaved is not None and resaved.fingerprint != cached.fingerprint
    saved_ventures = resaved.catalog.table("ventures")
    assert saved_ventures is not None and saved_ventures.column("stage") is not None


async def test_each_schema_set_has_its_own_file(
    pg18: TestServer, database: str, tmp_path: Path
) -> None:
    target = ConnectionTarget(pg18.dsn(database), "test")
    pool = await create_pool(target)
    try:
        public = await load_and_cache(pool, target.identity, ("public",), tmp_path)
        both = await load_and_cache(pool, target.identity, ("public", "pg_toast"), tmp_path)
    finally:
        await pool.close()
    assert len(_listing(tmp_path)) == 2
    assert cache_path(target.identity, ("public",), tmp_path) != cache_path(
        target.identity, ("public", "pg_toast"), tmp_path
    )
    only_public = read_cached(target.identity, ("public",), tmp_path).cached
    assert only_public is not None and only_public.catalog.schemas == public.schemas
    assert read_cached(target.identity, ("pg_toast", "public"), tmp_path).cached is None
    assert both.schemas == ("public", "pg_toast")


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ehgtui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


async def test_cache_path_and_clear_commands(pg18: TestServer, database: str) -> None:
    target = ConnectionTarget(pg18.dsn(database), "test")
    pool = await create_pool(target)
    try:
        catalog = await load_and_cache(pool, target.identity, ("public",))
    finally:
        await pool.close()
    save_cached("someone@elsewhere:5432/db", ("public",), catalog, "0" * 32)
    assert len(list(cache_dir().glob("*.catalog.json"))) >= 2

    shown = _run_cli("cache", "path")
    assert shown.returncode == 0 and shown.stdout.strip() == str(cache_dir())
    assert "cache" in shown.stdout  # under XDG_CACHE_HOME, set by conftest

    cleared = _run_cli("cache", "clear")
    assert cleared.returncode == 0, cleared.stderr
    assert re.match(r"deleted \d+ cached catalog files from ", cleared.stdout)
    assert list(cache_dir().glob("*.catalog.json")) == []
    assert read_cached(target.identity, ("public",)).cached is None
    assert clear_cache() == 0


async def test_saving_runs_off_the_event_loop(
    pg18: TestServer, database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Serializing and fsyncing a big catalog must not block the loop: it runs in a thread."""
    import threading

    from ehgtui.catalog import cache

    saved_on: list[threading.Thread] = []

    def recording_save(*args: object) -> Path:
        saved_on.append(threading.current_thread())
        return save_cached(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "save_cached", recording_save)
    target = ConnectionTarget(pg18.dsn(database), "test")
    pool = await create_pool(target)
    try:
        await load_and_cache(pool, target.identity, ("public",), tmp_path)
        cached = read_cached(target.identity, ("public",), tmp_path).cached
        assert cached is not None
        pg18.psql(database, "ALTER TABLE ventures ADD COLUMN off_loop text")
        assert await refresh_if_changed(pool, cached) is not None
    finally:
        await pool.close()
    assert len(saved_on) == 2
    assert threading.main_thread() not in saved_on
    resaved = read_cached(target.identity, ("public",), tmp_path).cached
    assert resaved is not None
    ventures = resaved.catalog.table("ventures")
    assert ventures is not None and ventures.column("off_loop") is not None


async def test_a_lookup_decodes_only_the_tables_it_names(
    pg18: TestServer, database: str, tmp_path: Path
) -> None:
    target = ConnectionTarget(pg18.dsn(database), "test")
    pool = await create_pool(target)
    try:
        catalog = await load_and_cache(pool, target.identity, ("public",), tmp_path)
        fingerprint = await fetch_fingerprint(pool, ["public"])
    finally:
        await pool.close()
    found = read_cached_tables(target.identity, ("public",), ["ventures"], tmp_path)
    assert found is not None and found.fingerprint == fingerprint
    assert [t.qualified_name for t in found.catalog.tables] == ["public.ventures"]
    assert found.catalog.table("ventures") == catalog.table("ventures")
    assert [r.qualified_name for r in found.relations] == [t.qualified_name for t in catalog.tables]
    whole = to_data(catalog)
    assert to_data(found.catalog) == whole | {"tables": [to_data(catalog.table("ventures"))]}
    qualified = read_cached_tables(target.identity, ("public",), ["public.sd_items"], tmp_path)
    assert qualified is not None and qualified.catalog.table("sd_items") == catalog.table(
        "sd_items"
    )

    # spoil the other table's bytes in place: the whole read refuses the file, the lookup of
    # ventures never reads them
    path = cache_path(target.identity, ("public",), tmp_path)
    data = path.read_bytes()
    comment = data.index(b'"comment":"items"')
    path.write_bytes(data[:comment] + b'"comment":1234567' + data[comment + 17 :])
    assert read_cached(target.identity, ("public",), tmp_path).cached is None
    spoiled = read_cached_tables(target.identity, ("public",), ["ventures"], tmp_path)
    assert spoiled is not None and spoiled.catalog.table("ventures") == catalog.table("ventures")
    assert read_cached_tables(target.identity, ("public",), ["sd_items"], tmp_path) is None

    # another server's file, a truncated one and an older format: no lookup, no exception
    assert (
        read_cached_tables("someone@elsewhere:5432/db", ("public",), ["ventures"], tmp_path) is None
    )
    path.write_bytes(data[: len(data) // 2])
    assert read_cached_tables(target.identity, ("public",), ["ventures"], tmp_path) is None
    document = json.loads(data)
    path.write_text(json.dumps(document | {"format": CACHE_FORMAT - 1}))
    assert read_cached_tables(target.identity, ("public",), ["ventures"], tmp_path) is None
