"""A snapshot written before the catalog's texts were schema-qualified still compares equal to
a live load of the same schema, and a real change is still seen (`diff/qualification.py`).

The "before" snapshot is made as the loader made it then: its transaction without the empty
search_path (the connection's own path, `"$user", public`, or Supabase's, with `extensions`),
written as snapshot format 2 without `names_qualified`.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.db import pool as db_pool
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.diff.compare import diff_catalogs
from ehgtui.diff.snapshot import dumps_snapshot, read_snapshot
from tests.cli.test_foundation_cli import run_cli
from tests.pg import TestServer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_objects.sql"

BEFORE_QUALIFICATION = {
    "default path": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    "supabase path": "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;"
    ' SET LOCAL search_path = "$user", public, extensions',
}
"""How a catalog query's transaction began before the texts were qualified, under two paths."""


async def _load(pg: TestServer, database: str, schemas: tuple[str, ...]) -> Catalog:
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        return await load_catalog(pool, schemas)
    finally:
        await pool.close()


async def _old_snapshot(
    pg: TestServer,
    database: str,
    schemas: tuple[str, ...],
    begin: str,
    path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Catalog:
    """Write, as the previous version did, a format 2 snapshot of the database to path."""
    with monkeypatch.context() as patched:
        patched.setattr(db_pool, "CATALOG_TRANSACTION", begin)
        old = await _load(pg, database, schemas)
    document = json.loads(dumps_snapshot(old))
    document["snapshot_format"] = 2
    del document["catalog"]["names_qualified"]
    _write(path, json.dumps(document, indent=2, sort_keys=True))
    return old


def _write(path: Path, text: str) -> None:
    path.write_text(text)


@pytest.mark.parametrize(
    ("source", "path_kind"),
    [("demo", "default path"), ("schema_objects", "supabase path")],
)
async def test_a_snapshot_from_before_qualification_equals_the_live_schema(
    pg18: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, path_kind: str
) -> None:
    if source == "demo":
        database, schemas = pg18.demo_database(), ("public",)
    else:
        database = pg18.create_database("qualification", FIXTURE.read_text())
        schemas = ("public", "Odd Schema")
    path = tmp_path / "before.json"
    old = await _old_snapshot(
        pg18, database, schemas, BEFORE_QUALIFICATION[path_kind], path, monkeypatch
    )
    live = await _load(pg18, database, schemas)
    assert live.names_qualified
    # the texts did change: compared as they are, the two would differ all over
    as_if_qualified = diff_catalogs(dataclasses.replace(old, names_qualified=True), live)
    assert len(as_if_qualified.tables) + len(as_if_qualified.objects) >= 3

    snapshot = read_snapshot(path)
    assert not snapshot.names_qualified
    found = diff_catalogs(snapshot, live)
    assert found.is_empty, [t.qualified_name for t in found.tables] + [
        o.name for o in found.objects
    ]
    dsn = pg18.dsn(database)
    schema_args = [arg for schema in schemas for arg in ("--schema", schema)]
    for mode in ([], ["--ddl"]):
        result = run_cli("diff", str(path), "--no-cache", "--dsn", dsn, *schema_args, *mode)
        assert result.returncode == 0, result.stdout + result.stderr


async def test_a_real_change_against_an_old_snapshot_is_still_reported(
    pg18: TestServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = pg18.demo_database()
    path = tmp_path / "before.json"
    begin = BEFORE_QUALIFICATION["default path"]
    await _old_snapshot(pg18, database, ("public",), begin, path, monkeypatch)
    pg18.psql(
        database,
        "ALTER TABLE public.strategic_directives_v2"
        " ALTER COLUMN status SET DEFAULT 'active'::public.sd_status;",
    )
    found = diff_catalogs(read_snapshot(path), await _load(pg18, database, ("public",)))
    assert [t.qualified_name for t in found.tables] == ["public.strategic_directives_v2"]
    (change,) = found.tables[0].objects
    assert change.name == "status"
    assert [(f.field, f.before, f.after) for f in change.fields] == [
        ("default", "'draft'::sd_status", "'active'::sd_status")
    ]
    assert not found.objects
