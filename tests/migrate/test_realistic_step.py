"""A realistic step: the kind of migration the EHG_Engineer repository holds, applied to a copy
of the demo; `diff --sql` from the copy before it must reach the same end state.

The migration: a new table written by `ehgtui new-migration` (uuid id, timestamps, RLS, the
pattern's policies, the created_at index, the updated_at trigger), an ALTER of an existing
table (a column with a default and a check, a type change, an index, a comment)
and a changed policy (its command narrowed, so it is dropped and created again, and another
one's condition altered). Functions are not in the catalog yet, so a changed function is not
part of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ehgtui.demo.schema_policies import ORG_MEMBER
from tests.migrate.roundtrip import clone, drop, normalise
from tests.migrate.test_hazards import run
from tests.pg import TestServer

ALTER_AND_POLICIES = f"""
ALTER TABLE public.ventures ADD COLUMN risk_level text NOT NULL DEFAULT 'low';
ALTER TABLE public.ventures ADD CONSTRAINT ventures_risk_level_check
    CHECK (risk_level = ANY (ARRAY['low', 'medium', 'high']));
ALTER TABLE public.ventures ALTER COLUMN funding_raised TYPE numeric(16,2);
CREATE INDEX idx_ventures_risk_level ON public.ventures (risk_level);
COMMENT ON COLUMN public.ventures.risk_level IS 'Set by the quarterly risk review.';

DROP POLICY "org_scoped" ON public.ventures;
CREATE POLICY "org_scoped" ON public.ventures FOR SELECT TO authenticated
    USING ({ORG_MEMBER});
CREATE POLICY "org_members_write" ON public.ventures FOR UPDATE TO authenticated
    USING ({ORG_MEMBER} AND status <> 'killed') WITH CHECK ({ORG_MEMBER});
ALTER POLICY "Members see own memberships" ON public.user_organizations
    USING (user_id = (select auth.uid()) OR (select auth.role()) = 'service_role');
"""


@pytest.fixture
def before_and_after(pg: TestServer, tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    a, b = clone(pg), clone(pg)
    yield a, b, tmp_path
    drop(pg, a, b)


def test_diff_sql_replays_a_hand_written_migration(
    pg: TestServer,
    before_and_after: tuple[str, str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b, tmp = before_and_after
    code, out, err = run(
        capsys,
        "new-migration",
        "venture_risk_reviews",
        "--like",
        "ventures",
        "--dir",
        str(tmp),
        "--dsn",
        pg.dsn(b),
    )
    assert code == 0, err
    (new_table,) = tmp.glob("*_create_venture_risk_reviews.sql")
    assert out.strip() == str(new_table)
    pg.psql(b, new_table.read_text(), single_transaction=False)
    pg.psql(b, ALTER_AND_POLICIES)

    code, sql, err = run(capsys, "diff", pg.dsn(a), pg.dsn(b), "--sql")
    assert code == 1, err  # a difference, and nothing held back
    assert "CREATE TABLE public.venture_risk_reviews" in sql
    assert "hazard: security: public.ventures.org_members_write:" in err
    pg.psql(a, sql, single_transaction=False)

    code, text, _ = run(capsys, "diff", pg.dsn(a), pg.dsn(b))
    assert code == 0, text
    touched = ("venture_risk_reviews", "ventures", "user_organizations")
    args = [arg for name in touched for arg in ("-t", f"public.{name}")]
    assert normalise(pg.pg_dump_schema(a, *args)) == normalise(pg.pg_dump_schema(b, *args))
