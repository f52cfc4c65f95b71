"""Access for one row: verdicts computed by hand on the demo's rows, for the README's three RLS
patterns, the two the live database adds, and a restrictive policy; nothing written."""

from __future__ import annotations

import json

import asyncpg
import pytest

from ehgtui.catalog.model import Catalog
from ehgtui.demo.schema_rows import (
    USER_A_EMAIL,
    USER_A_ID,
    USER_B_EMAIL,
    USER_B_ID,
    demo_uuid,
)
from ehgtui.rows.hidden_rows import hidden_rows
from ehgtui.rows.policy_eval import PartResult
from ehgtui.rows.roles import ViewAs
from ehgtui.rows.row_access import CommandAccess, explain_row
from ehgtui.rows.row_key import RowKeyError, RowNotFoundError, parse_key
from ehgtui.rows.settings import RowSettings
from tests.pg import TestServer
from tests.reliability.conftest import ehgtui_statements, run_cli

SETTINGS = RowSettings()
ANON, SERVICE = ViewAs("anon"), ViewAs("service_role")
USER_A, USER_B = ViewAs(user=USER_A_EMAIL), ViewAs(user=USER_B_ID)

ORG_A = demo_uuid("rows-org-a")
PRD_1 = demo_uuid("rows-prd-1")  # user A's, progress 10
PRD_3 = demo_uuid("rows-prd-3")  # user A's, progress 30
VENTURE_1 = demo_uuid("rows-venture-1")  # organisation A's
RETRO_1 = demo_uuid("rows-retro-1")  # user A's
POLICY_1 = demo_uuid("rows-policy-1")  # admin only

RESTRICTIVE = (
    "CREATE POLICY below_thirty ON public.product_requirements_v2 AS RESTRICTIVE "
    "FOR SELECT TO authenticated USING (progress < 30)"
)

STATE = """
SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) FROM (
  SELECT to_jsonb(p)::text AS t FROM public.product_requirements_v2 p
  UNION ALL SELECT to_jsonb(r)::text FROM public.retrospectives r
  UNION ALL SELECT to_jsonb(v)::text FROM public.ventures v
  UNION ALL SELECT to_jsonb(c)::text FROM public.compliance_policies c
  UNION ALL SELECT to_jsonb(o)::text FROM public.organizations o
  UNION ALL SELECT s.schemaname || s.sequencename || coalesce(s.last_value, 0)
              FROM pg_sequences s) AS x"""


@pytest.fixture(scope="module")
def before(pg: TestServer, demo_db: str) -> tuple[str, int]:
    """The data's fingerprint and the log's length before the module's explanations."""
    pg.psql(demo_db, RESTRICTIVE)
    log = (pg.server.data_dir / "server.log").read_text(errors="replace")
    return pg.psql(demo_db, STATE), len(log)


async def _one(
    pool: asyncpg.Pool,
    catalog: Catalog,
    table: str,
    viewer: ViewAs,
    key: str | None,
    command: str,
    assignments: dict[str, str | None] | None = None,
) -> CommandAccess:
    found = catalog.table(table)
    assert found is not None
    explained = await explain_row(
        pool,
        found,
        viewer,
        SETTINGS,
        parse_key(found, key) if key is not None else None,
        [command],
        assignments,
    )
    [answer] = explained.commands
    assert answer.command == command
    return answer


def _failing_tests(part: PartResult | None) -> list[PartResult]:
    if part is None:
        return []
    if part.kind == "test":
        return [part] if part.result is not True else []
    return [t for child in part.children for t in _failing_tests(child)]


CASES = [
    # pattern 1, authenticated read / service_role write: organizations
    ("organizations", ANON, ORG_A, "SELECT", None, "deny"),
    ("organizations", USER_A, ORG_A, "SELECT", None, "allow"),
    ("organizations", USER_A, ORG_A, "UPDATE", {"name": "renamed"}, "deny"),
    ("organizations", SERVICE, ORG_A, "DELETE", None, "allow"),
    # pattern 2, user-owned: product_requirements_v2
    ("product_requirements_v2", USER_A, PRD_1, "SELECT", None, "allow"),
    ("product_requirements_v2", USER_B, PRD_1, "SELECT", None, "deny"),
    ("product_requirements_v2", USER_A, PRD_1, "UPDATE", {"title": "Rows demo: moved"}, "allow"),
    ("product_requirements_v2", USER_A, PRD_1, "UPDATE", {"created_by": USER_B_ID}, "deny"),
    ("product_requirements_v2", USER_A, PRD_1, "DELETE", None, "allow"),
    ("product_requirements_v2", USER_B, PRD_1, "DELETE", None, "deny"),
    ("product_requirements_v2", ANON, PRD_1, "SELECT", None, "deny"),
    # pattern 3, organisation-scoped: ventures
    ("ventures", USER_A, VENTURE_1, "SELECT", None, "allow"),
    ("ventures", USER_B, VENTURE_1, "SELECT", None, "deny"),
    ("ventures", SERVICE, VENTURE_1, "UPDATE", {"name": "x"}, "allow"),
    # public read, authenticated write: retrospectives
    ("retrospectives", ANON, RETRO_1, "SELECT", None, "allow"),
    ("retrospectives", USER_A, RETRO_1, "UPDATE", {"quality_score": "90"}, "allow"),
    ("retrospectives", USER_B, RETRO_1, "UPDATE", {"quality_score": "90"}, "deny"),
    ("retrospectives", ANON, RETRO_1, "DELETE", None, "deny"),
    # admin only through user_roles: compliance_policies
    ("compliance_policies", USER_A, POLICY_1, "SELECT", None, "deny"),
    ("compliance_policies", USER_B, POLICY_1, "SELECT", None, "allow"),
    ("compliance_policies", ANON, POLICY_1, "SELECT", None, "deny"),
    # a restrictive policy (progress < 30) on top of user-owned
    ("product_requirements_v2", USER_A, PRD_3, "SELECT", None, "deny"),
]


@pytest.mark.parametrize(("table", "viewer", "key", "command", "values", "verdict"), CASES)
async def test_hand_computed_verdicts(
    before: tuple[str, int],
    pool: asyncpg.Pool,
    catalog: Catalog,
    table: str,
    viewer: ViewAs,
    key: str,
    command: str,
    values: dict[str, str | None] | None,
    verdict: str,
) -> None:
    answer = await _one(pool, catalog, table, viewer, key, command, values)
    assert answer.verdict == verdict, answer.reason


OWNS = "created_by = (SELECT auth.uid() AS uid)"
IN_ORG = "organization_id IN (SELECT user_organizations.org_id"
ADMIN = "EXISTS (SELECT 1 FROM user_roles"
NO_POLICY = "no permissive policy applies to the role"
ORG_B = demo_uuid("rows-org-b")
PRD_4 = demo_uuid("rows-prd-4")  # user B's, progress 40

GRID = [
    # every pattern for anon, A, B and service_role, and every command; a deny names why:
    # (clause, the failing branch) when a policy failed, (None, the reason) when none applies
    ("organizations", ANON, ORG_A, "INSERT", {"name": "x"}, "deny", (None, NO_POLICY)),
    ("organizations", ANON, ORG_A, "DELETE", None, "deny", (None, NO_POLICY)),
    ("organizations", USER_A, ORG_A, "INSERT", {"name": "x"}, "deny", (None, NO_POLICY)),
    ("organizations", USER_B, ORG_A, "SELECT", None, "allow", None),
    ("organizations", USER_B, ORG_A, "DELETE", None, "deny", (None, NO_POLICY)),
    ("organizations", SERVICE, ORG_A, "INSERT", {"name": "x"}, "allow", None),
    ("organizations", SERVICE, ORG_A, "UPDATE", {"name": "x"}, "allow", None),
    ("product_requirements_v2", ANON, PRD_1, "UPDATE", {"title": "x"}, "deny", (None, NO_POLICY)),
    ("product_requirements_v2", ANON, PRD_1, "DELETE", None, "deny", (None, NO_POLICY)),
    ("product_requirements_v2", USER_B, PRD_1, "UPDATE", {"title": "x"}, "deny", ("USING", OWNS)),
    ("product_requirements_v2", USER_B, None, "INSERT", {"created_by": USER_B_ID}, "allow", None),
    ("product_requirements_v2", USER_B, None, "INSERT", {"created_by": USER_A_ID}, "deny",
     ("WITH CHECK", OWNS)),
    ("product_requirements_v2", SERVICE, PRD_1, "SELECT", None, "allow", None),
    ("product_requirements_v2", SERVICE, PRD_1, "UPDATE", {"created_by": USER_B_ID}, "allow", None),
    # the restrictive policy: UPDATE and DELETE must find the row through SELECT's policies
    ("product_requirements_v2", USER_A, PRD_3, "UPDATE", {"title": "x"}, "deny",
     ("USING", "progress < 30")),
    ("product_requirements_v2", USER_A, PRD_3, "DELETE", None, "deny", ("USING", "progress < 30")),
    ("product_requirements_v2", USER_B, PRD_4, "SELECT", None, "deny", ("USING", "progress < 30")),
    ("ventures", ANON, VENTURE_1, "SELECT", None, "deny", (None, NO_POLICY)),
    ("ventures", USER_A, VENTURE_1, "UPDATE", {"name": "x"}, "allow", None),
    ("ventures", USER_A, VENTURE_1, "UPDATE", {"organization_id": ORG_B}, "deny",
     ("WITH CHECK", IN_ORG)),
    ("ventures", USER_A, None, "INSERT", {"name": "x", "organization_id": ORG_A}, "allow", None),
    ("ventures", USER_A, None, "INSERT", {"name": "x", "organization_id": ORG_B}, "deny",
     ("WITH CHECK", IN_ORG)),
    ("ventures", USER_A, VENTURE_1, "DELETE", None, "allow", None),
    ("ventures", USER_B, VENTURE_1, "UPDATE", {"name": "x"}, "deny", ("USING", IN_ORG)),
    ("ventures", USER_B, VENTURE_1, "DELETE", None, "deny", ("USING", IN_ORG)),
    ("ventures", SERVICE, VENTURE_1, "DELETE", None, "allow", None),
    ("retrospectives", ANON, RETRO_1, "UPDATE", {"title": "x"}, "deny", (None, NO_POLICY)),
    ("retrospectives", USER_A, RETRO_1, "SELECT", None, "allow", None),
    ("retrospectives", USER_A, None, "INSERT", {"title": "x", "created_by": USER_A_ID}, "allow",
     None),
    ("retrospectives", USER_A, None, "INSERT", {"title": "x", "created_by": USER_B_ID}, "deny",
     ("WITH CHECK", OWNS)),
    ("retrospectives", USER_A, RETRO_1, "DELETE", None, "deny", (None, NO_POLICY)),
    ("retrospectives", USER_B, RETRO_1, "SELECT", None, "allow", None),
    ("retrospectives", SERVICE, RETRO_1, "DELETE", None, "allow", None),
    ("compliance_policies", USER_A, POLICY_1, "UPDATE", {"name": "x"}, "deny", ("USING", ADMIN)),
    ("compliance_policies", USER_A, None, "INSERT", {"name": "x"}, "deny", ("WITH CHECK", ADMIN)),
    ("compliance_policies", USER_A, POLICY_1, "DELETE", None, "deny", ("USING", ADMIN)),
    ("compliance_policies", USER_B, POLICY_1, "UPDATE", {"name": "x"}, "allow", None),
    ("compliance_policies", USER_B, None, "INSERT", {"name": "x"}, "allow", None),
    ("compliance_policies", USER_B, POLICY_1, "DELETE", None, "allow", None),
    ("compliance_policies", ANON, POLICY_1, "DELETE", None, "deny", (None, NO_POLICY)),
    ("compliance_policies", SERVICE, POLICY_1, "SELECT", None, "allow", None),
    ("compliance_policies", SERVICE, POLICY_1, "UPDATE", {"name": "x"}, "allow", None),
]  # fmt: skip


@pytest.mark.parametrize(("table", "viewer", "key", "command", "values", "verdict", "why"), GRID)
async def test_every_pattern_viewer_and_command(
    before: tuple[str, int],
    pool: asyncpg.Pool,
    catalog: Catalog,
    table: str,
    viewer: ViewAs,
    key: str | None,
    command: str,
    values: dict[str, str | None] | None,
    verdict: str,
    why: tuple[str | None, str] | None,
) -> None:
    answer = await _one(pool, catalog, table, viewer, key, command, values)
    assert answer.verdict == verdict, answer.reason
    if why is None:
        return
    clause, named = why
    if clause is None:
        assert named in answer.reason
        return
    failing = [
        t.text
        for p in answer.policies
        if not p.passed and p.check.clause == clause
        for t in _failing_tests(p.check.failing)
    ]
    assert any(named in text for text in failing), (answer.reason, failing)


async def test_the_failing_branch_is_named_with_what_it_reads(
    before: tuple[str, int], pool: asyncpg.Pool, catalog: Catalog
) -> None:
    # B looks at A's PRD: `created_by = (SELECT auth.uid())` fails, showing both sides
    answer = await _one(pool, catalog, "product_requirements_v2", USER_B, PRD_1, "SELECT")
    [owned] = [p for p in answer.policies if p.name == "user_owned"]
    assert owned.check.result is False
    [test] = _failing_tests(owned.check.failing)
    reads = dict(test.reads)
    assert reads["created_by"] == USER_A_ID
    assert USER_B_ID in reads["(SELECT auth.uid() AS uid)"]
    assert "no permissive policy passes (user_owned)" in answer.reason

    # B looks at organisation A's venture: the IN subquery lists B's organisations only
    answer = await _one(pool, catalog, "ventures", USER_B, VENTURE_1, "SELECT")
    [scoped] = [p for p in answer.policies if p.name == "org_scoped"]
    [test] = _failing_tests(scoped.check.failing)
    reads = dict(test.reads)
    assert reads["organization_id"] == ORG_A
    [subquery] = [v for k, v in reads.items() if k.startswith("(SELECT user_organizations")]
    assert ORG_A not in subquery and demo_uuid("rows-org-b") in subquery

    # the restrictive policy is the one that hides A's third PRD
    answer = await _one(pool, catalog, "product_requirements_v2", USER_A, PRD_3, "SELECT")
    assert "restrictive policy below_thirty does not pass" in answer.reason
    [below] = [p for p in answer.policies if p.name == "below_thirty"]
    assert not below.permissive
    assert dict(_failing_tests(below.check.failing)[0].reads)["progress"] == "30"

    # an UPDATE that hands the row to B fails on the new row's WITH CHECK, not on the old row
    answer = await _one(
        pool, catalog, "product_requirements_v2", USER_A, PRD_1, "UPDATE", {"created_by": USER_B_ID}
    )
    failed = [p for p in answer.policies if not p.passed]
    assert {(p.name, p.check.clause, p.check.row) for p in failed} == {
        ("user_owned", "WITH CHECK", "proposed")
    }
    assert answer.proposed is not None and answer.proposed["created_by"] == USER_B_ID

    # anon has no policy at all on organizations
    answer = await _one(pool, catalog, "organizations", ANON, ORG_A, "SELECT")
    assert "no permissive policy applies to the role" in answer.reason


async def test_insert_is_evaluated_on_a_proposed_row(
    before: tuple[str, int], pool: asyncpg.Pool, catalog: Catalog
) -> None:
    mine = {"title": "Rows demo: new", "created_by": USER_A_ID}
    answer = await _one(pool, catalog, "product_requirements_v2", USER_A, None, "INSERT", mine)
    assert answer.verdict == "allow", answer.reason
    assert answer.proposed is not None and answer.proposed["status"] == "draft"  # its default
    theirs = {"title": "Rows demo: new", "created_by": USER_B_ID}
    answer = await _one(pool, catalog, "product_requirements_v2", USER_A, None, "INSERT", theirs)
    assert answer.verdict == "deny"
    answer = await _one(pool, catalog, "retrospectives", ANON, None, "INSERT", {"title": "x"})
    assert answer.verdict == "deny" and "no permissive policy applies" in answer.reason


async def test_bad_keys_are_one_line_errors(pool: asyncpg.Pool, catalog: Catalog) -> None:
    table = catalog.table("product_requirements_v2")
    assert table is not None
    with pytest.raises(RowKeyError, match="no column 'nope'"):
        parse_key(table, "nope=1")
    with pytest.raises(RowNotFoundError, match="no row of public.product_requirements_v2"):
        await explain_row(
            pool, table, USER_A, SETTINGS, {"id": demo_uuid("absent")}, ["SELECT"], None
        )


async def test_hidden_rows_name_the_policy_that_hides_each(
    before: tuple[str, int], pool: asyncpg.Pool, catalog: Catalog, pg: TestServer, demo_db: str
) -> None:
    prds = int(pg.psql(demo_db, "SELECT count(*) FROM public.product_requirements_v2"))
    table = catalog.table("product_requirements_v2")
    assert table is not None
    # A owns PRDs 1-3 and sees 1 and 2: 3 is hidden by the restrictive policy alone (progress
    # 30), B's 4 and 5 by both (not A's, progress 40 and 50); every row is explained
    found = await hidden_rows(pool, table, USER_A, SETTINGS, sample=prds)
    assert (found.seen_by_connection, found.hidden, found.capped) == (prds, prds - 2, False)
    why = {s.key["id"]: s for s in found.samples}
    assert len(why) == prds - 2 and PRD_1 not in why and demo_uuid("rows-prd-2") not in why
    assert why[PRD_3].hiding == ("below_thirty",)
    assert "restrictive policy below_thirty does not pass" in why[PRD_3].reason
    for other in ("rows-prd-4", "rows-prd-5"):
        assert why[demo_uuid(other)].hiding == ("user_owned", "below_thirty")
    assert all("user_owned" in s.hiding for k, s in why.items() if k != PRD_3)

    # B sees only venture 3 (organisation B's); the org_scoped policy hides the others
    ventures = catalog.table("ventures")
    assert ventures is not None
    total = int(pg.psql(demo_db, "SELECT count(*) FROM public.ventures"))
    found = await hidden_rows(pool, ventures, USER_B, SETTINGS)
    assert found.hidden == total - 1 and len(found.samples) == min(5, total - 1)
    assert {s.hiding for s in found.samples} == {("org_scoped",)}

    # anon has no policy on organizations: every row hidden, no policy to name
    organizations = catalog.table("organizations")
    assert organizations is not None
    total = int(pg.psql(demo_db, "SELECT count(*) FROM public.organizations"))
    found = await hidden_rows(pool, organizations, ANON, SETTINGS)
    assert found.hidden == total > 0 and found.viewer == "anon"
    assert all(s.hiding == () for s in found.samples)
    assert all("no permissive policy applies to the role" in s.reason for s in found.samples)

    # nothing is hidden from service_role (BYPASSRLS), nor from anon on public-read rows
    assert (await hidden_rows(pool, table, SERVICE, SETTINGS)).hidden == 0
    retros = catalog.table("retrospectives")
    assert retros is not None
    assert (await hidden_rows(pool, retros, ANON, SETTINGS)).hidden == 0

    # capped: only the first rows in key order are looked at, and it says so
    found = await hidden_rows(pool, table, USER_B, RowSettings(count_cap=3), sample=1)
    assert (found.seen_by_connection, found.capped, found.hidden, found.cap) == (3, True, 3, 3)
    assert len(found.samples) == 1


def test_nothing_was_written(before: tuple[str, int], pg: TestServer, demo_db: str) -> None:
    """Runs last in the module: the data and sequences are as they were, and every statement
    the explanations sent ran inside a read-only transaction."""
    state, start = before
    assert pg.psql(demo_db, STATE) == state
    log = (pg.server.data_dir / "server.log").read_text(errors="replace")[start:]
    statements = ehgtui_statements(log, demo_db)
    texts = [t.strip().upper() for _pid, t in statements]
    assert any("JSONB_POPULATE_RECORD" in t for t in texts)  # the explanations did run here
    depth: dict[int, bool] = {}
    for (pid, _), upper in zip(statements, texts, strict=True):
        if upper.startswith("BEGIN"):
            assert "READ ONLY" in upper, upper
            depth[pid] = True
        elif upper.startswith("ROLLBACK") and "SAVEPOINT" not in upper:
            depth[pid] = False
        else:
            assert depth.get(pid), f"outside a read-only transaction: {upper[:80]}"
            assert not upper.startswith(("COMMIT", "END", "SET TRANSACTION")), upper


def test_cli_explains_a_row_in_json_and_text(pg: TestServer, demo_db: str) -> None:
    dsn = pg.dsn(demo_db)
    args = ("access", "product_requirements_v2", "--row", PRD_1, "--dsn", dsn, "--no-cache")
    denied = run_cli(*args, "--user", USER_B_ID, "--json")
    assert denied.returncode == 0, denied.stderr
    data = json.loads(denied.stdout)
    assert data["verdict"] == "deny"
    assert "user_owned" in [p["name"] for p in data["commands"][0]["policies"]]
    text = run_cli(*args, "--user", USER_A_EMAIL, "--command", "update", "--set", "title=x")
    assert text.returncode == 0, text.stderr
    assert "UPDATE: ALLOW" in text.stdout and 'permissive "user_owned"' in text.stdout
    wrong = run_cli(*args[:3], "nope=1", "--dsn", dsn, "--user", "anon")
    assert wrong.returncode == 1
    assert wrong.stderr.strip() == "ehgtui: public.product_requirements_v2 has no column 'nope'"


def test_cli_lists_hidden_rows(pg: TestServer, demo_db: str) -> None:
    dsn = pg.dsn(demo_db)
    args = ("access", "ventures", "--hidden", "--dsn", dsn, "--no-cache")
    found = run_cli(*args, "--user", USER_B_ID, "--json")
    assert found.returncode == 0, found.stderr
    data = json.loads(found.stdout)
    total = int(pg.psql(demo_db, "SELECT count(*) FROM public.ventures"))
    assert data["hidden"] == total - 1 and data["samples"][0]["hiding"] == ["org_scoped"]
    text = run_cli(*args, "--user", USER_B_EMAIL)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith(f"# public.ventures: {total - 1} of the {total} rows you see")
    assert "org_scoped" in text.stdout
    alone = run_cli(*args)
    assert (alone.returncode, alone.stderr.strip()) == (
        1,
        "ehgtui: --hidden needs --user (whose hidden rows to list)",
    )
    both = run_cli(*args, "--user", "anon", "--row", VENTURE_1)
    assert both.stderr.strip() == "ehgtui: --hidden lists rows: give it without --row"
