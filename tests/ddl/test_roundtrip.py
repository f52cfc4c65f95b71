"""Round trips: DDL rendered from a loaded catalog rebuilds the same schema, per pg_dump.

For each source (the feature fixture, the awkward-names fixture when present, the demo
schema): `schema_ddl` of everything applied to a database holding only the prerequisites,
and `table_ddl` of each relation applied to one holding the prerequisites and the relations
it needs; then `pg_dump --schema-only` of source and copy must be equal, line for line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ehgtui.catalog.model import Catalog, Table
from ehgtui.ddl import DdlOptions, dependencies, schema_ddl, table_ddl
from ehgtui.ddl.quote import qualified
from tests.ddl import roundtrip
from tests.pg import TestServer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FAITHFUL = DdlOptions(owner=True, grants=True)
"""Owner and grants on: the dumps compare owners and ACLs too."""


@dataclass
class Source:
    """A source database, its catalog, and a template holding its prerequisites."""

    database: str
    catalog: Catalog
    prerequisites: str
    """The whole-schema prerequisites: every relation of `public` left out."""
    per_table_template: str
    """A database with the prerequisites of single tables: standalone sequences kept."""


_SOURCES: dict[tuple[str, str], Source] = {}


def _source_sql(name: str) -> str:
    """The SQL of a source; skips the test when another engineer has not written it yet."""
    if name == "demo":
        schema = pytest.importorskip("ehgtui.demo.schema")
        return str(schema.demo_schema_sql())
    path = FIXTURES / f"{name}.sql"
    if not path.exists():
        pytest.skip(f"{path.name} is not written yet")
    return path.read_text()


async def _source(pg: TestServer, name: str) -> Source:
    """Build (once per server and session) the source database and what the tests need."""
    key = (pg.label, name)
    if key not in _SOURCES:
        if name == "demo":
            _source_sql(name)  # skips when the demo schema does not exist
            database = pg.demo_database()
        else:
            database = pg.create_database(f"ddl_{name}", _source_sql(name))
        catalog = await roundtrip.load(pg, database)
        template = pg.create_database(f"ddl_{name}_pre")
        per_table = roundtrip.prerequisites(pg, database, roundtrip.catalog_relations(catalog))
        roundtrip.apply_prerequisites(pg, template, per_table)
        _SOURCES[key] = Source(
            database=database,
            catalog=catalog,
            prerequisites=roundtrip.prerequisites(
                pg, database, roundtrip.schema_relations(catalog.schemas)
            ),
            per_table_template=template,
        )
    return _SOURCES[key]


def _rebuild_schema(pg: TestServer, source: Source, options: DdlOptions) -> str:
    """A fresh database: prerequisites, `schema_ddl` of everything, late prerequisites."""
    target = pg.create_database("ddl_copy")
    roundtrip.apply_prerequisites(pg, target, source.prerequisites)
    pg.psql(target, schema_ddl(source.catalog, options))
    roundtrip.apply_prerequisites(pg, target, source.prerequisites)
    return target


@pytest.mark.parametrize("name", ["ddl_features", "awkward", "demo"])
async def test_schema_ddl_rebuilds_every_relation(pg: TestServer, name: str) -> None:
    source = await _source(pg, name)
    target = _rebuild_schema(pg, source, FAITHFUL)
    whole_source = roundtrip.dump(pg, source.database)
    whole_target = roundtrip.dump(pg, target)
    assert whole_source == whole_target, roundtrip.diff(whole_source, whole_target, "database")


DEMO_SAMPLE = {
    "strategic_directives_v2",
    "sd_phase_handoffs",
    "product_requirements_v2",
    "leo_protocols",
    "agent_artifacts",
    "retrospectives",
    "compliance_policies",
    "ventures",
    "venture_stages",
    "user_roles",
}
"""Demo relations checked one by one (all ~900 would take minutes): the README's key tables,
plus every materialized view and the first views."""


def _per_table_sample(name: str, catalog: Catalog) -> list[Table]:
    """Every relation of a fixture; a sample of the demo's."""
    if name != "demo":
        return list(catalog.tables)
    views = [t for t in catalog.tables if t.kind == "view"][:4]
    chosen = [t for t in catalog.tables if t.name in DEMO_SAMPLE or t.kind == "materialized view"]
    return chosen + views


@pytest.mark.parametrize("name", ["ddl_features", "awkward", "demo"])
async def test_table_ddl_rebuilds_each_relation_alone(pg: TestServer, name: str) -> None:
    source = await _source(pg, name)
    failures = []
    for table in _per_table_sample(name, source.catalog):
        target = pg.create_database("ddl_one", template=source.per_table_template)
        needed = dependencies(table, source.catalog)
        sql = schema_ddl(source.catalog, FAITHFUL, tables=needed) if needed else ""
        sql += table_ddl(table, source.catalog, FAITHFUL)
        try:
            pg.psql(target, sql)
        except RuntimeError as exc:
            failures.append(f"{table.qualified_name}: {exc}\n{sql}")
            continue
        key = (table.schema, table.name)
        expected = roundtrip.dump(pg, source.database, key)
        actual = roundtrip.dump(pg, target, key)
        assert f" {qualified(table.schema, table.name)}" in expected  # the dump is not empty
        if expected != actual:
            failures.append(roundtrip.diff(expected, actual, table.qualified_name))
        pg.psql("postgres", f"DROP DATABASE {target}", single_transaction=False)
    assert not failures, f"{len(failures)} relation(s) differ:\n" + "\n".join(failures)


async def test_if_not_exists_applies_and_reapplies_tables(pg: TestServer) -> None:
    source = await _source(pg, "ddl_features")
    options = DdlOptions(owner=True, grants=True, if_not_exists=True)
    text = schema_ddl(source.catalog, options)
    assert "CREATE TABLE IF NOT EXISTS public.projects (" in text
    assert "CREATE SEQUENCE IF NOT EXISTS public.tasks_id_seq" in text
    assert "CREATE UNIQUE INDEX IF NOT EXISTS projects_name_owner_idx ON public.projects" in text
    assert "CREATE MATERIALIZED VIEW IF NOT EXISTS public.project_task_counts" in text
    target = _rebuild_schema(pg, source, options)
    assert roundtrip.dump(pg, source.database) == roundtrip.dump(pg, target)
    # The IF NOT EXISTS statements are no-ops the second time round.
    projects = source.catalog.table("projects")
    assert projects is not None
    creates = [
        s for s in table_ddl(projects, source.catalog, options).split(";\n") if "IF NOT EXISTS" in s
    ]
    assert len(creates) == 4  # the table and its three free-standing indexes
    pg.psql(target, ";\n".join(creates) + ";")


async def test_default_options_leave_out_owner_and_grants(pg: TestServer) -> None:
    source = await _source(pg, "ddl_features")
    text = schema_ddl(source.catalog)
    assert "OWNER TO" not in text and "GRANT " not in text and "REVOKE " not in text
    target = _rebuild_schema(pg, source, DdlOptions())
    projects = roundtrip.dump(pg, target, ("public", "projects"))
    assert "ALTER TABLE public.projects OWNER TO postgres;" in projects
    assert "GRANT" not in projects
