"""Functions, types and the other object kinds in the explorer, on the demo database.

The tree lists them (functions by the tables' domain rules), the detail pane shows each kind's
tabs, enter jumps between a function and what uses it, `/` and the palette find them, and `y`
copies a function's DDL, which re-creates it exactly in a fresh database.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest
from textual.widgets import ContentSwitcher

from ehgtui import clipboard as core_clipboard
from ehgtui.catalog.domains import classify
from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Function
from ehgtui.catalog.objects import ObjectRef
from ehgtui.tui.app import EhgApp
from ehgtui.tui.object_commands import object_hits
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.widgets.detail.grid import DetailGrid
from ehgtui.tui.widgets.detail.kinds import NOT_RECORDED
from ehgtui.tui.widgets.detail.object_detail import CodeView, ObjectDetail, ObjectTab
from ehgtui.tui.widgets.detail.table_detail import TableDetail
from ehgtui.tui.widgets.detail.triggers import TriggersGrid
from ehgtui.tui.widgets.tree.domain_tree import DomainTree, ObjectEntry
from tests.pg import TestServer
from tests.tui.conftest import loaded, settle

SIZE = (120, 36)
SD_TABLE = "public.strategic_directives_v2"
NOTIFY = ObjectRef("function", "public.notify_sd_status_change()")
"""A PL/pgSQL trigger function of the demo, used by one trigger of strategic_directives_v2."""
DESCENDANTS = ObjectRef("function", "public.sd_descendants(p_sd_id uuid)")
SD_STATUS = ObjectRef("type", "public.sd_status")


def _tab(detail: ObjectDetail) -> ObjectTab:
    index = detail._active_index()
    assert index is not None
    return detail.query_one(f"#object-tab-body-{index}", ObjectTab)


def _shown_text(app: EhgApp) -> str:
    """Every line of the current screen as plain text (what the terminal shows)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def _open(pilot: object, screen: ExplorerScreen, ref: ObjectRef, tab: str | None) -> None:
    assert screen.show_object(ref, tab)
    await settle(pilot)  # type: ignore[arg-type]


async def test_functions_are_grouped_by_the_tables_rules(demo_dsn: str) -> None:
    """`sd_descendants` sits with Strategic Directives; the trigger functions that no rule
    claims are in Functions; types are in Types."""
    pool = await asyncpg.create_pool(demo_dsn, min_size=1, max_size=4)
    try:
        catalog = await load_catalog(pool, ("public",))
    finally:
        await pool.close()
    domain_map = classify(catalog)
    assert domain_map.by_object[DESCENDANTS] == "Strategic Directives"
    assert domain_map.by_object[NOTIFY] == "Functions"
    assert domain_map.by_object[SD_STATUS] == "Types"
    sd = domain_map.get("Strategic Directives")
    assert sd is not None and "sd_descendants" in [o.name for o in sd.objects]
    assert all(o.name.startswith("sd_") for o in sd.objects)  # claimed by the sd_ rule
    listed = [o for d in domain_map.groups for o in d.objects if isinstance(o, Function)]
    assert sorted(f.signature for f in listed) == sorted(f.signature for f in catalog.functions)


async def test_function_body_and_users_are_on_screen(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await _open(pilot, screen, NOTIFY, "body")
        assert screen.query_one("#detail", ContentSwitcher).current == "object-detail"
        detail = screen.query_one(ObjectDetail)
        code = _tab(detail).query_one(CodeView)
        assert code.text.startswith("CREATE OR REPLACE FUNCTION public.notify_sd_status_change()")
        assert code.language == "sql"  # highlighted: tree-sitter-sql is in the test extra
        shown = _shown_text(app)
        assert "PERFORM pg_notify('sd_status_changed'" in shown
        assert "public.notify_sd_status_change()  function · plpgsql · returns trigger" in shown
        assert 'SET search_path = ""' in shown  # the flags in plain sight (set, here)

        detail.show_tab("used_by")
        await settle(pilot)
        grid = _tab(detail).query_one(DetailGrid)
        assert grid.cell_texts() == [["trigger", SD_TABLE, "trg_sd_status_notify"]]
        shown = _shown_text(app)
        assert "trg_sd_status_notify" in shown and "1 use recorded by the server" in shown
        assert NOT_RECORDED[:60] in shown.replace("\n", " ")

        grid.focus()
        await pilot.press("enter")  # the trigger's table, on its Triggers tab
        await settle(pilot)
        assert screen.selected == SD_TABLE and screen.selected_object is None
        assert screen.query_one(TableDetail).tabs.active == "triggers"


async def test_enter_on_a_trigger_opens_its_function(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        assert screen.selected == SD_TABLE
        await pilot.press("5")
        await settle(pilot)
        grid = screen.query_one(TriggersGrid)
        names = [row[0] for row in grid.cell_texts()]
        grid.focus()
        grid.move_cursor(row=names.index("trg_sd_status_notify"))
        await pilot.press("enter")
        await settle(pilot)
        assert screen.selected_object == NOTIFY
        detail = screen.query_one(ObjectDetail)
        assert detail.active_tab == "body"
        assert "pg_notify" in _tab(detail).query_one(CodeView).text
        tree = screen.query_one(DomainTree)
        assert tree.highlighted == NOTIFY  # the tree follows


async def test_type_definition_and_columns(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await _open(pilot, screen, SD_STATUS, None)
        detail = screen.query_one(ObjectDetail)
        assert detail.active_tab == "definition"
        labels = [row[1] for row in _tab(detail).query_one(DetailGrid).cell_texts()]
        assert labels[:2] == ["draft", "pending_approval"]
        detail.show_tab("used_by")
        await settle(pilot)
        rows = _tab(detail).query_one(DetailGrid).cell_texts()
        assert ["column", SD_TABLE, "status"] in rows
        assert "enum type" in _shown_text(app)


async def test_filter_and_palette_find_functions_and_types(
    make_app: Callable[..., EhgApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await pilot.press("slash", *"notify_sd_status")
        await pilot.pause()
        tree = screen.query_one(DomainTree)
        assert tree.first_match() == NOTIFY
        await pilot.press("enter")
        await settle(pilot)
        assert screen.selected_object == NOTIFY
        assert isinstance(tree.cursor_node.data if tree.cursor_node else None, ObjectEntry)
        detail = screen.query_one(ObjectDetail)
        detail.show_tab("used_by")
        await settle(pilot)
        assert detail.focus_tab()  # the focus in a pane does not hold the tab there
        await pilot.press("3")  # the digits pick a tab of the object's kind
        await settle(pilot)
        assert detail.active_tab == "access"
        assert app.focused is _tab(detail).query_one(DetailGrid)  # the focus followed
        assert screen.catalog is not None
        hits = [ref for _, ref in object_hits(screen.catalog, "sd_status")]
        assert SD_STATUS in hits
        assert [ref for _, ref in object_hits(screen.catalog, "sd_descendants")][0] == DESCENDANTS


async def test_y_copies_a_function_ddl_that_recreates_it(
    make_app: Callable[..., EhgApp],
    pg18: TestServer,
    demo_dsn: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(core_clipboard, "fallback_dir", lambda: tmp_path / "copies")
    monkeypatch.setattr(core_clipboard, "copy_local", lambda text: True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await _open(pilot, screen, DESCENDANTS, None)
        await pilot.press("y")
        await settle(pilot)
        copied = app.clipboard
    assert copied.startswith("CREATE OR REPLACE FUNCTION public.sd_descendants(p_sd_id uuid)")
    fresh = pg18.create_database()
    source = await asyncpg.connect(demo_dsn)
    target = await asyncpg.connect(pg18.dsn(fresh))
    try:
        # what the function's body refers to must exist for the body to be checked
        await target.execute(
            "CREATE TABLE public.strategic_directives_v2 (id uuid, sd_key text, parent_sd_id uuid)"
        )
        await target.execute(copied)
        query = "SELECT pg_get_functiondef('public.sd_descendants(uuid)'::regprocedure)"
        assert await target.fetchval(query) == await source.fetchval(query)
    finally:
        await source.close()
        await target.close()
