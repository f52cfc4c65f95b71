"""What anon, user A, user B and service_role see under each README RLS pattern (demo rows)."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from ehgtui.catalog.model import Catalog
from ehgtui.demo.schema_rows import (
    COMPLIANCE_MARK,
    ORGANIZATIONS_MARK,
    PRDS_MARK,
    RETROSPECTIVES_MARK,
    USER_A_EMAIL,
    USER_A_ID,
    USER_B_EMAIL,
    USER_B_ID,
    VENTURES_MARK,
)
from ehgtui.rows.errors import RoleError
from ehgtui.rows.query import RowRequest, fetch_page
from ehgtui.rows.roles import ViewAs
from ehgtui.rows.settings import RowSettings

SETTINGS = RowSettings()

VIEWERS = {
    "anon": ViewAs("anon"),
    "A": ViewAs(user=USER_A_EMAIL),
    "B": ViewAs(user=USER_B_ID),
    "service_role": ViewAs("service_role"),
}
"""A by email, B by uuid: both ways of naming a user."""

PRDS = [f"Rows demo: PRD {n}" for n in range(1, 6)]
RETROS = [f"Rows demo: retrospective {n}" for n in range(1, 4)]
POLICIES = ["RD-001", "RD-002", "RD-003"]

CASES = {
    # pattern 1: authenticated read, service_role write
    ("organizations", ORGANIZATIONS_MARK, "slug"): {
        "anon": [],
        "A": ["rows-demo-a", "rows-demo-b"],
        "B": ["rows-demo-a", "rows-demo-b"],
        "service_role": ["rows-demo-a", "rows-demo-b"],
    },
    # pattern 2: user-owned rows (A owns PRDs 1-3, B owns 4-5)
    ("product_requirements_v2", PRDS_MARK, "title"): {
        "anon": [],
        "A": PRDS[:3],
        "B": PRDS[3:],
        "service_role": PRDS,
    },
    # pattern 3: organisation-scoped (A in org A: ventures 1-2; B in org B: venture 3)
    ("ventures", VENTURES_MARK, "slug"): {
        "anon": [],
        "A": ["rows-demo-1", "rows-demo-2"],
        "B": ["rows-demo-3"],
        "service_role": ["rows-demo-1", "rows-demo-2", "rows-demo-3"],
    },
    # public read, authenticated write
    ("retrospectives", RETROSPECTIVES_MARK, "title"): {
        "anon": RETROS,
        "A": RETROS,
        "B": RETROS,
        "service_role": RETROS,
    },
    # admin only through user_roles (B is the admin)
    ("compliance_policies", COMPLIANCE_MARK, "policy_id"): {
        "anon": [],
        "A": [],
        "B": POLICIES,
        "service_role": POLICIES,
    },
}


@pytest.mark.parametrize("viewer", list(VIEWERS))
@pytest.mark.parametrize("case", list(CASES), ids=[c[0] for c in CASES])
async def test_each_viewer_sees_exactly_the_expected_rows(
    pool: asyncpg.Pool, catalog: Catalog, case: tuple[str, str, str], viewer: str
) -> None:
    name, mark, column = case
    table = catalog.table(name)
    assert table is not None
    page = await fetch_page(pool, table, RowRequest(where=mark, view_as=VIEWERS[viewer]), SETTINGS)
    index = page.column_names.index(column)
    assert sorted(row[index] for row in page.rows) == CASES[case][viewer]
    assert not page.has_next


async def test_results_say_whose_eyes(pool: asyncpg.Pool, catalog: Catalog) -> None:
    table = catalog.table("retrospectives")
    assert table is not None
    pages = {
        who: await fetch_page(pool, table, RowRequest(view_as=view, limit=1), SETTINGS)
        for who, view in VIEWERS.items()
    }
    assert pages["anon"].viewer.label == "anon"
    assert pages["A"].viewer.label == f"authenticated as user {USER_A_EMAIL} ({USER_A_ID})"
    assert pages["B"].viewer.label == f"authenticated as user {USER_B_EMAIL} ({USER_B_ID})"
    assert pages["service_role"].viewer.role == "service_role"
    me = await fetch_page(pool, table, RowRequest(limit=1), SETTINGS)
    assert me.viewer.label == "postgres (the connection's role)" and not me.viewer.switched


async def test_claims_are_shaped_as_supabase_issues_them(
    pool: asyncpg.Pool, catalog: Catalog
) -> None:
    table = catalog.table("retrospectives")
    assert table is not None
    checks = (
        f"auth.uid() = '{USER_A_ID}' AND auth.role() = 'authenticated'"
        f" AND auth.jwt() ->> 'email' = '{USER_A_EMAIL}' AND auth.jwt() ->> 'aud' = 'authenticated'"
        " AND auth.jwt() -> 'user_metadata' ->> 'full_name' = 'Ada A. Member'"
        " AND auth.jwt() -> 'app_metadata' ->> 'provider' = 'email'"
        f" AND current_setting('request.jwt.claim.sub') = '{USER_A_ID}'"
        " AND current_user = 'authenticated'"
        f" AND {RETROSPECTIVES_MARK}"
    )
    page = await fetch_page(pool, table, RowRequest(where=checks, view_as=VIEWERS["A"]), SETTINGS)
    assert len(page.rows) == 3
    anon = "auth.uid() IS NULL AND auth.role() = 'anon' AND current_user = 'anon'"
    page = await fetch_page(
        pool, table, RowRequest(where=f"{anon} AND {RETROSPECTIVES_MARK}", view_as=VIEWERS["anon"]),
        SETTINGS,
    )  # fmt: skip
    assert len(page.rows) == 3


async def test_a_uuid_without_a_user_row_is_still_a_point_of_view(
    pool: asyncpg.Pool, catalog: Catalog
) -> None:
    table = catalog.table("product_requirements_v2")
    assert table is not None
    stranger = str(uuid.UUID(int=7))
    page = await fetch_page(
        pool, table, RowRequest(where=PRDS_MARK, view_as=ViewAs(user=stranger)), SETTINGS
    )
    assert page.rows == ()
    assert page.viewer.label == f"authenticated as user {stranger} (not in auth.users)"


async def test_unknown_email_and_unknown_role_are_one_line_errors(
    pool: asyncpg.Pool, catalog: Catalog
) -> None:
    table = catalog.table("ventures")
    assert table is not None
    with pytest.raises(RoleError) as unknown_user:
        await fetch_page(pool, table, RowRequest(view_as=ViewAs(user="nobody@x.example")), SETTINGS)
    assert str(unknown_user.value) == "no user with email 'nobody@x.example' in auth.users"
    with pytest.raises(RoleError) as unknown_role:
        await fetch_page(pool, table, RowRequest(view_as=ViewAs("no_such_role")), SETTINGS)
    assert str(unknown_role.value) == (
        'cannot view as no_such_role: role "no_such_role" does not exist'
    )
