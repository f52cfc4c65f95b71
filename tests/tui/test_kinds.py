"""Each object kind's tabs, rendered from the fixture with every kind of object
(tests/fixtures/schema_objects.sql) on PostgreSQL 18: what the detail pane shows, kind by kind.

The tabs are functions of an object and the catalog (kinds.py), so they are read here without
an app; test_objects.py drives the same tabs through the explorer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ehgtui.catalog.model import Catalog
from ehgtui.catalog.objects import (
    ObjectRef,
    all_objects,
    functions_of_policy,
    object_by_ref,
    object_key,
    object_kind,
)
from ehgtui.tui.messages import OpenObject, OpenTable
from ehgtui.tui.widgets.detail.kinds import KINDS, TabView
from ehgtui.tui.widgets.detail.policies import policy_detail
from tests.ddl import roundtrip
from tests.pg import TestServer

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "schema_objects.sql"
SCHEMAS = ("public", "auth", "extensions", "Odd Schema")


@pytest.fixture(scope="module")
async def catalog(pg18: TestServer) -> Catalog:
    database = pg18.template("schema_objects", FIXTURE.read_text())
    return await roundtrip.load(pg18, database, SCHEMAS)


def _tab(catalog: Catalog, ref: ObjectRef, tab: str) -> TabView:
    obj = object_by_ref(catalog, ref)
    assert obj is not None, ref
    kind = KINDS[ref.kind]
    render = next(t.render for t in kind.tabs if t.id == tab)
    return render(obj, catalog)


def _text(view: TabView) -> str:
    return view.text.plain if view.text is not None else ""


async def test_every_tab_of_every_object_renders(catalog: Catalog) -> None:
    """No tab of any object fails, every summary names its object, every DDL renders."""
    seen: set[str] = set()
    for obj in all_objects(catalog):
        kind = KINDS[object_kind(obj)]
        seen.add(kind.name)
        assert object_key(obj).split("(")[0] in kind.summary(obj).plain
        for tab in kind.tabs:
            view = tab.render(obj, catalog)
            assert len(view.jumps) in (0, len(view.rows)), (obj, tab.id)
            if tab.id == "ddl":
                assert view.code and not view.code.startswith("-- could not"), view.code
    assert seen == set(KINDS)


async def test_security_definer_and_api_access(catalog: Catalog) -> None:
    staff = ObjectRef("function", "public.is_staff()")
    summary = KINDS["function"].summary(object_by_ref(catalog, staff)).plain
    assert "SECURITY DEFINER" in summary and "SET search_path = public" in summary
    access = _text(_tab(catalog, staff, "access"))
    assert "anon           ✗ cannot  no EXECUTE for anon or PUBLIC" in access
    assert "authenticated  ✓ can call a SECURITY DEFINER function" in access
    assert _tab(catalog, staff, "access").rows[0][0] in ("postgres", "authenticated")
    unsafe = ObjectRef("function", "public.unsafe_helper()")
    summary = KINDS["function"].summary(object_by_ref(catalog, unsafe)).plain
    assert "search_path NOT SET (mutable: runs with the caller's)" in summary
    # a procedure is no RPC, whoever may execute it
    procedure = _text(
        _tab(catalog, ObjectRef("function", "public.reset_counter(IN start_at integer)"), "access")
    )
    assert "can call" not in procedure.replace("cannot", "")


async def test_uses_jump_to_their_table_tab_or_function(catalog: Catalog) -> None:
    staff = _tab(catalog, ObjectRef("function", "public.is_staff()"), "used_by")
    assert ("policy", "public.tickets", "staff_read") in staff.rows
    jump = staff.jumps[staff.rows.index(("policy", "public.tickets", "staff_read"))]
    assert jump == OpenTable("public.tickets", "policies", None)
    zip_uses = _tab(catalog, ObjectRef("function", "public.valid_zip(zip text)"), "used_by")
    assert zip_uses.rows == (("check", "public.tickets", "tickets_zip_check"),)
    assert zip_uses.jumps == (OpenTable("public.tickets", "constraints", None),)
    mood = _tab(catalog, ObjectRef("type", "public.mood"), "used_by")
    assert ("column", "public.tickets", "feeling") in mood.rows
    odd = [j for r, j in zip(mood.rows, mood.jumps, strict=True) if r[0] == "function"]
    assert odd and isinstance(odd[0], OpenObject) and odd[0].ref.kind == "function"
    assert object_by_ref(catalog, odd[0].ref) is not None  # the jump finds the function


async def test_a_policy_names_the_functions_it_calls(catalog: Catalog) -> None:
    called = functions_of_policy(catalog, "public", "tickets", "staff_read")
    assert [f.signature for f in called] == ["public.is_staff()"]
    tickets = catalog.table("public.tickets")
    assert tickets is not None
    policy = next(p for p in tickets.policies if p.name == "staff_read")
    assert "Calls public.is_staff()" in policy_detail(policy, [f.signature for f in called]).plain


async def test_sequence_extension_publication_fields(catalog: Catalog) -> None:
    counter = _text(_tab(catalog, ObjectRef("sequence", "public.counter_seq"), "fields"))
    for line in ("increment  -2", "min value  -1000", "cycle      yes", "standalone"):
        assert line in counter
    loose = _tab(catalog, ObjectRef("sequence", "public.loose_seq"), "fields")
    assert loose.jumps == (OpenTable("public.tickets", "columns", "loose_number"),)
    trgm = _text(_tab(catalog, ObjectRef("extension", "pg_trgm"), "fields"))
    assert "schema             extensions" in trgm
    realtime = _tab(catalog, ObjectRef("publication", "supabase_realtime"), "fields")
    assert "publishes   insert, update" in _text(realtime)
    row = next(r for r in realtime.rows if r[0] == "public.tickets")
    assert row[1] == "id, feeling, note" and "note IS NOT NULL" in row[2]
    assert OpenTable("public.tickets") in realtime.jumps
    everything = KINDS["publication"].summary(
        object_by_ref(catalog, ObjectRef("publication", "everything"))
    )
    assert "all tables" in everything.plain
