"""Names in the DDL are schema-qualified as pg_dump prints them, so it applies under any
search_path: column types, defaults, CHECKs, REFERENCES, EXECUTE FUNCTION, indexes, policies
and view bodies (the catalog's texts are printed with an empty search_path, as pg_dump's)."""

from __future__ import annotations

import re

import pytest

from tests.cli.test_foundation_cli import run_cli
from tests.pg import TestServer

TABLE = "strategic_directives_v2"


@pytest.fixture(scope="module")
def demo(pg: TestServer) -> str:
    return pg.demo_database()


def _statements(text: str) -> set[str]:
    """The SQL statements of a script, each on one line with runs of blanks made one (pg_dump
    18 prints a policy on one line, ehgtui as older pg_dumps did: over several), without
    comments, psql meta-commands, and a policy's `FOR ALL` and `TO PUBLIC` (pg_dump 18 leaves
    out the defaults)."""
    lines = [
        line
        for line in text.splitlines()
        if line.strip() and not line.startswith(("--", "\\", "SET ", "SELECT pg_catalog."))
    ]
    statements = re.split(r";\n", "\n".join(lines) + "\n")
    collapsed = (re.sub(r"\s+", " ", s).strip() for s in statements)
    return {s.replace(" TO PUBLIC ", " ").replace(" FOR ALL ", " ") for s in collapsed if s}


def test_table_ddl_names_every_object_with_its_schema_as_pg_dump(pg: TestServer, demo: str) -> None:
    result = run_cli("ddl", TABLE, "--no-cache", "--dsn", pg.dsn(demo))
    assert result.returncode == 0, result.stderr
    ddl = result.stdout
    for qualified in (
        "    status public.sd_status DEFAULT 'draft'::public.sd_status NOT NULL,",
        "    blocked_statuses public.sd_status[],",
        "REFERENCES public.organizations(id) ON DELETE SET NULL;",
        "REFERENCES public.strategic_directives_v2(id)",
        "EXECUTE FUNCTION public.increment_version();",
        "USING ((status <> 'draft'::public.sd_status));",
        "   FROM public.user_roles ur",
    ):
        assert qualified in ddl, qualified
    # every statement is one pg_dump prints for the table, character for character
    dumped = _statements(pg.pg_dump_schema(demo, f"--table=public.{TABLE}"))
    ours = _statements(ddl)
    assert len(ours) > 40
    assert ours - dumped == set()


def test_table_ddl_applies_where_public_is_not_on_the_search_path(
    pg: TestServer, demo: str
) -> None:
    result = run_cli("ddl", TABLE, "--no-cache", "--dsn", pg.dsn(demo))
    assert result.returncode == 0, result.stderr
    target = pg.create_database("qualified", template=demo)
    before = pg.pg_dump_schema(target, f"--table=public.{TABLE}")
    pg.psql(target, f"DROP TABLE public.{TABLE} CASCADE;")
    # psql stops at the first error (ON_ERROR_STOP) and runs it all in one transaction
    pg.psql(target, "SET search_path = '';\n" + result.stdout)
    after = pg.pg_dump_schema(target, f"--table=public.{TABLE}")

    def without_grants(dump: str) -> set[str]:  # `ddl` leaves grants out by default
        return {s for s in _statements(dump) if not s.startswith(("GRANT ", "REVOKE "))}

    assert without_grants(after) == without_grants(before)
