"""Hazards of `diff --sql`: each class the writer knows is marked on its statement, and
without `--allow-data-loss` no data-losing statement runs (checked on the server).

The classification tests share one pair of small databases: B holds every hazardous change
at once, so one catalog load serves them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ehgtui.catalog.model import Catalog
from ehgtui.cli.main import main
from ehgtui.diff.compare import diff_catalogs
from ehgtui.migrate import (
    HazardKind,
    Migration,
    MigrationOptions,
    Statement,
    hazard_summary,
    render_sql,
    write_migration,
)
from ehgtui.migrate.render import HOLD_BACK
from tests.migrate.small import drop_databases, load_small, small_copy
from tests.pg import TestServer

EVERY_HAZARD = """
ALTER TABLE public.owners DROP COLUMN bio;
DROP TABLE public.tags;
ALTER TABLE public.owners ALTER COLUMN email TYPE varchar(10);
ALTER TABLE public.owners ALTER COLUMN score TYPE bigint;
ALTER TABLE public.items ALTER COLUMN code SET NOT NULL;
ALTER TABLE public.items ADD COLUMN sku text NOT NULL;
ALTER TABLE public.items ADD CONSTRAINT items_code_key UNIQUE (code);
ALTER TABLE public.items ADD CONSTRAINT items_price_check CHECK (price >= 0);
CREATE INDEX items_code ON public.items (code);
ALTER TABLE public.audit_log SET UNLOGGED;
ALTER TABLE public.owners ADD COLUMN best_item bigint REFERENCES public.items (id);
ALTER TABLE public.items DISABLE ROW LEVEL SECURITY;
ALTER TABLE public.items NO FORCE ROW LEVEL SECURITY;
GRANT SELECT ON public.owners TO anon;
CREATE POLICY owners_read ON public.owners FOR SELECT TO anon USING (true);
ALTER POLICY items_read ON public.items TO authenticated, anon;
ALTER POLICY items_write ON public.items WITH CHECK (true);
DROP POLICY items_only_mine ON public.items;
ALTER TABLE public.items DISABLE TRIGGER items_touch;
"""
"""Side B of the classification tests: one change per hazard below, all compatible."""


@dataclass(frozen=True)
class Expected:
    kind: HazardKind
    target: str
    reason: str
    """A fragment of the hazard's sentence."""


EXPECTED = (
    # data loss
    Expected(HazardKind.DATA_LOSS, "public.owners.bio", "drops column bio and every value"),
    Expected(HazardKind.DATA_LOSS, "public.tags", "drops the table and every row"),
    Expected(HazardKind.DATA_LOSS, "public.owners.email", "is not a widening"),
    # rewrite or long lock
    Expected(HazardKind.REWRITE, "public.owners.score", "rewrites the table and its indexes"),
    Expected(HazardKind.REWRITE, "public.items.code", "NOT VALID, then VALIDATE CONSTRAINT"),
    Expected(HazardKind.REWRITE, "public.items.items_code", "--concurrently avoids it"),
    Expected(HazardKind.REWRITE, "public.items.items_code_key", "builds an index"),
    Expected(HazardKind.REWRITE, "public.audit_log", "rewrites the table"),
    # may fail on existing data
    Expected(HazardKind.MAY_FAIL, "public.owners.email", "do not cast to character varying(10)"),
    Expected(HazardKind.MAY_FAIL, "public.items.code", "fails if any row holds NULL"),
    Expected(HazardKind.MAY_FAIL, "public.items.sku", "NOT NULL without a default"),
    Expected(HazardKind.MAY_FAIL, "public.items.items_code_key", "break the unique"),
    Expected(HazardKind.MAY_FAIL, "public.items.items_price_check", "add it NOT VALID"),
    Expected(HazardKind.MAY_FAIL, "public.owners.owners_best_item_fkey", "add it NOT VALID"),
    # security
    Expected(HazardKind.SECURITY, "public.items", "row-level security disabled"),
    Expected(HazardKind.SECURITY, "public.items", "no longer subject to the policies"),
    Expected(HazardKind.SECURITY, "public.owners", "grants SELECT to anon"),
    Expected(HazardKind.SECURITY, "public.owners.owners_read", "lets anon SELECT"),
    Expected(HazardKind.SECURITY, "public.items.items_read", "now also applies to anon"),
    Expected(HazardKind.SECURITY, "public.items.items_write", "condition changed"),
    Expected(HazardKind.SECURITY, "public.items.items_only_mine", "restrictive policy widens"),
    Expected(HazardKind.SECURITY, "public.items.items_touch", "disabled trigger"),
)


@dataclass
class Sides:
    a: Catalog
    b: Catalog

    def migration(self, options: MigrationOptions | None = None) -> Migration:
        return write_migration(diff_catalogs(self.a, self.b), self.a, self.b, options)


@pytest.fixture(scope="module")
async def every_hazard(pg18: TestServer) -> Sides:
    a, b = small_copy(pg18), small_copy(pg18, sql=EVERY_HAZARD)
    try:
        return Sides(await load_small(pg18, a), await load_small(pg18, b))
    finally:
        drop_databases(pg18, a, b)


def _marked(migration: Migration, expected: Expected) -> Statement:
    found = [
        s
        for s in migration.statements
        if s.target == expected.target
        and any(h.kind is expected.kind and expected.reason in h.reason for h in s.hazards)
    ]
    assert len(found) == 1, [(s.target, s.hazards) for s in migration.statements if s.hazards]
    return found[0]


@pytest.mark.parametrize(
    "expected", EXPECTED, ids=[f"{e.kind.name.lower()}-{e.target}" for e in EXPECTED]
)
def test_each_hazard_is_marked_above_its_statement_and_summarised(
    every_hazard: Sides, expected: Expected
) -> None:
    migration = every_hazard.migration()
    statement = _marked(migration, expected)
    hazard = next(h for h in statement.hazards if h.kind is expected.kind)
    text = render_sql(migration, "hazards")
    comment = f"-- hazard ({hazard.label}): {hazard.reason}"
    # right above the statement: every hazard of it, then the statement (commented when held)
    block = [f"-- hazard ({h.label}): {h.reason}" for h in statement.hazards]
    if statement.loses_data:
        block += [f"-- {HOLD_BACK}", *(f"-- {line}" for line in statement.sql.splitlines())]
    else:
        block += statement.sql.splitlines()
    assert comment in block
    assert "\n\n" + "\n".join(block) + "\n\n" in text
    summary = hazard_summary(migration)
    assert any(
        line.startswith(f"{hazard.label}: {expected.target}: ") and hazard.reason in line
        for line in summary
    ), summary


def test_only_data_losing_statements_are_held_back(every_hazard: Sides) -> None:
    migration = every_hazard.migration()
    held = [s for s in migration.statements if s.loses_data]
    assert {s.target for s in held} == {"public.owners.bio", "public.tags", "public.owners.email"}
    text = render_sql(migration, "hazards")
    allowed = render_sql(migration, "hazards", allow_data_loss=True)
    for statement in migration.statements:
        for line in statement.sql.splitlines():
            if statement.loses_data:
                assert f"-- {line}" in text.splitlines() and line not in text.splitlines()
                assert line in allowed.splitlines()
            else:
                assert line in text.splitlines()
    assert text.count(HOLD_BACK) == 3 and HOLD_BACK not in allowed
    summary = hazard_summary(migration)
    assert [line for line in summary if line.endswith("(held back)")] == [
        line for line in summary if any(f": {s.target}: " in line for s in held)
    ]
    assert not any("held back" in line for line in hazard_summary(migration, allow_data_loss=True))


def test_concurrently_builds_the_index_after_the_transaction_without_the_lock(
    every_hazard: Sides,
) -> None:
    migration = every_hazard.migration(MigrationOptions(concurrently=True))
    index = next(s for s in migration.statements if s.target == "public.items.items_code")
    assert index.outside_transaction and "CREATE INDEX CONCURRENTLY items_code" in index.sql
    assert not any(h.kind is HazardKind.REWRITE for h in index.hazards)
    text = render_sql(migration, "hazards")
    assert text.index("COMMIT;") < text.index("CREATE INDEX CONCURRENTLY items_code")


async def test_harmless_changes_carry_no_hazard(pg18: TestServer) -> None:
    harmless = """
    ALTER TABLE public.owners ADD COLUMN nickname text;
    ALTER TABLE public.owners ALTER COLUMN email TYPE varchar(200);
    COMMENT ON TABLE public.owners IS 'People.';
    ALTER TABLE public.items ALTER COLUMN qty DROP DEFAULT;
    ALTER POLICY items_read ON public.items TO authenticated, service_role;
    REVOKE SELECT ON public.items FROM authenticated;
    """
    a, b = small_copy(pg18), small_copy(pg18, sql=harmless)
    try:
        sides = Sides(await load_small(pg18, a), await load_small(pg18, b))
    finally:
        drop_databases(pg18, a, b)
    migration = sides.migration()
    assert len(migration.statements) >= 6
    hazards = {(s.target, h.kind) for s, h in migration.hazards}
    # only the policy, which now reaches service_role too, is worth a second look
    assert hazards == {("public.items.items_read", HazardKind.SECURITY)}


# ---------------------------------------------------------------- on the server, through the CLI

LOSSY = """
ALTER TABLE public.owners DROP COLUMN bio;
DROP TABLE public.tags;
ALTER TABLE public.owners ALTER COLUMN email TYPE varchar(10) USING left(email, 10);
ALTER TABLE public.items ADD COLUMN sku text;
"""
"""Side B of the server tests: three data-losing changes and one harmless one."""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`ehgtui ARGS` in this process: exit status, stdout, stderr."""
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    code = exited.value.code
    assert isinstance(code, int)
    return code, out, err


@pytest.fixture(scope="module")
def lossy_side(pg: TestServer) -> Iterator[str]:
    name = small_copy(pg, rows=True, sql=LOSSY)
    yield name
    drop_databases(pg, name)


def _query(pg: TestServer, database: str, sql: str) -> list[str]:
    return pg.psql(database, sql).splitlines()


def _log_size(pg: TestServer) -> int:
    return (pg.server.data_dir / "server.log").stat().st_size


def _statements_psql_ran(pg: TestServer, database: str, start: int, end: int) -> list[str]:
    """The statements psql sent to `database` while the log grew from `start` to `end`."""
    with (pg.server.data_dir / "server.log").open("rb") as log:
        log.seek(start)
        text = log.read(end - start).decode(errors="replace")
    marker = f" {database} psql: LOG:  statement: "
    return [line.partition(marker)[2] for line in text.splitlines() if marker in line]


def test_without_allow_data_loss_nothing_is_lost_on_the_server(
    pg: TestServer, lossy_side: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a = small_copy(pg, rows=True)
    try:
        code, sql, err = run(capsys, "diff", pg.dsn(a), pg.dsn(lossy_side), "--sql")
        assert code == 3, err
        assert err.splitlines()[-1] == (
            "ehgtui: data-losing statements are commented out; rerun with --allow-data-loss"
            " to include them"
        )
        held = [line for line in err.splitlines() if line.startswith("hazard: data loss: ")]
        assert [line.split(": ")[2] for line in held] == [
            "public.owners.bio",
            "public.tags",
            "public.owners.email",
        ]
        assert all(line.endswith("(held back)") for line in held)
        assert "-- ALTER TABLE public.owners DROP COLUMN bio;" in sql.splitlines()
        assert "-- DROP TABLE public.tags;" in sql.splitlines()

        start = _log_size(pg)
        pg.psql(a, sql, single_transaction=False)
        # psql sends no comment: what reached the server is the harmless statement alone
        assert _statements_psql_ran(pg, a, start, _log_size(pg)) == [
            "BEGIN;",
            "ALTER TABLE public.items ADD COLUMN sku text;",
            "COMMIT;",
        ]
        # the rows are all there, values whole
        assert _query(pg, a, "SELECT id, bio, email FROM public.owners ORDER BY id") == [
            "1|first programmer|ada.lovelace@example.com",
            "2|compilers|grace.hopper@example.com",
        ]
        assert _query(pg, a, "SELECT count(*) FROM public.tags") == ["2"]
        assert _query(
            pg,
            a,
            "SELECT count(*) FROM pg_attribute WHERE attrelid = 'public.items'::regclass"
            " AND attname = 'sku'",
        ) == ["1"]
        # what is left between A and B is exactly what was held back
        code, text, _ = run(capsys, "diff", pg.dsn(a), pg.dsn(lossy_side))
        assert code == 1
        assert "public.tags" in text and "bio" in text and "email" in text and "sku" not in text
    finally:
        drop_databases(pg, a)


def test_allow_data_loss_lets_the_drops_through(
    pg: TestServer, lossy_side: str, capsys: pytest.CaptureFixture[str]
) -> None:
    a = small_copy(pg, rows=True)
    try:
        code, sql, err = run(
            capsys, "diff", pg.dsn(a), pg.dsn(lossy_side), "--sql", "--allow-data-loss"
        )
        assert code == 1, err
        assert "held back" not in err and "commented out" not in err
        assert sum(line.startswith("hazard: data loss: ") for line in err.splitlines()) == 3
        assert "ALTER TABLE public.owners DROP COLUMN bio;" in sql.splitlines()
        pg.psql(a, sql, single_transaction=False)
        assert _query(pg, a, "SELECT id, email FROM public.owners ORDER BY id") == [
            "1|ada.lovela",  # varchar(10) through an explicit cast: cut, as the hazard said
            "2|grace.hopp",
        ]
        assert _query(pg, a, "SELECT to_regclass('public.tags') IS NULL") == ["t"]
        code, text, _ = run(capsys, "diff", pg.dsn(a), pg.dsn(lossy_side))
        assert code == 0 and text.splitlines()[1:] == ["no differences"], text
    finally:
        drop_databases(pg, a)


RECREATED = """
ALTER TABLE public.items DROP COLUMN note;
ALTER TABLE public.items ADD COLUMN note text GENERATED ALWAYS AS (title || '!') STORED;
DROP TABLE public.tags;
CREATE VIEW public.tags AS SELECT 1 AS id, 'x'::text AS label;
"""
"""A column that becomes generated and a table that becomes a view: neither changes in place,
so each is dropped (losing data) and created again."""


async def test_what_is_created_again_is_held_back_with_its_drop(pg18: TestServer) -> None:
    b = small_copy(pg18, rows=True, sql=RECREATED)
    a_held, a_allowed = small_copy(pg18, rows=True), small_copy(pg18, rows=True)
    try:
        sides = Sides(await load_small(pg18, a_held), await load_small(pg18, b))
        migration = sides.migration()
        recreations = [
            s for s in migration.statements if any("again" in h.reason for h in s.hazards)
        ]
        assert {s.target for s in recreations} >= {"public.items.note", "public.tags"}
        # held: the file applies (the drop and the creation both wait) and keeps every row
        pg18.psql(a_held, render_sql(migration, "held"), single_transaction=False)
        assert _query(pg18, a_held, "SELECT note FROM public.items ORDER BY id") == [
            "analytical",
            "first",
        ]
        assert _query(pg18, a_held, "SELECT count(*) FROM public.tags") == ["2"]
        # allowed: the same file uncommented reaches B
        allowed = render_sql(migration, "allowed", allow_data_loss=True)
        pg18.psql(a_allowed, allowed, single_transaction=False)
        after = await load_small(pg18, a_allowed)
        assert diff_catalogs(after, sides.b).is_empty, allowed
    finally:
        drop_databases(pg18, b, a_held, a_allowed)
