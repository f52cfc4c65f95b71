"""The explorer against the real demo database: navigation, every tab's content, reload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Tab, TabbedContent, Tabs
from textual.widgets._tabs import Underline

from ehgtui.catalog.model import Table
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.formatting import RLS_MARKS, one_line
from ehgtui.tui.screens.help import HelpScreen
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.widgets.connection_bar import ConnectionBar
from ehgtui.tui.widgets.detail.columns import ColumnsGrid
from ehgtui.tui.widgets.detail.ddl import DdlView
from ehgtui.tui.widgets.detail.grid import DetailGrid
from ehgtui.tui.widgets.detail.indexes import IndexesGrid
from ehgtui.tui.widgets.detail.summary import TableSummary
from ehgtui.tui.widgets.detail.table_detail import TAB_IDS, TableDetail, tab_titles
from ehgtui.tui.widgets.detail.triggers import TriggersGrid
from ehgtui.tui.widgets.tree.domain_tree import DomainEntry, DomainTree, MissingEntry, TableEntry
from tests.pg import TestServer
from tests.tui.conftest import loaded, settle

SD_TABLE = "public.strategic_directives_v2"
"""The README's first key table; the demo schema has it with policies, indexes and a trigger."""

SIZE = (120, 36)


def _sd(app: EhgApp) -> Table:
    from tests.tui.conftest import explorer

    catalog = explorer(app).catalog
    assert catalog is not None
    table = catalog.table(SD_TABLE)
    assert table is not None
    return table


async def test_header_tree_and_first_table(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        assert screen.catalog is not None and screen.domain_map is not None
        bar = screen.query_one(ConnectionBar)
        views = sum(t.is_view for t in screen.catalog.tables)
        assert (bar.table_count, bar.view_count) == (len(screen.catalog.tables) - views, views)
        assert bar.server_version == f"PostgreSQL {screen.catalog.server.version}"
        assert "(test)" in bar.target_label and "postgres@127.0.0.1" in bar.target_label

        tree = screen.query_one(DomainTree)
        domains = [n.data.domain for n in tree.root.children if isinstance(n.data, DomainEntry)]
        assert [d.name for d in domains] == [d.name for d in screen.domain_map.groups]
        # lazy: only the domain holding the selection has table nodes
        populated = [n for n in tree.root.children if n.children]
        assert len(populated) == 1 and populated[0].is_expanded
        assert screen.selected == tree.highlighted_table
        assert screen.query_one(TableDetail).table is not None


async def test_missing_key_tables_are_listed(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        assert screen.domain_map is not None
        with_missing = [d for d in screen.domain_map.domains if d.missing_key_tables]
        assert with_missing, "the demo schema leaves out some README key tables"
        domain = with_missing[0]
        tree = screen.query_one(DomainTree)
        node = next(n for n in tree.root.children if n.data.domain.name == domain.name)  # type: ignore[union-attr]
        node.expand()
        await pilot.pause()
        missing = [c.data.name for c in node.children if isinstance(c.data, MissingEntry)]
        assert missing == list(domain.missing_key_tables)
        last_missing = [c for c in node.children if isinstance(c.data, MissingEntry)][-1]
        label = tree.render_label(last_missing, tree.rich_style, tree.rich_style).plain
        assert "(missing)" in label
        tree.move_cursor(last_missing)
        await pilot.pause()
        summary = str(screen.query_one(TableSummary).render())
        assert domain.missing_key_tables[-1] in summary and "missing" in summary


async def test_label_widths_match_the_drawn_labels(make_app: Callable[..., EhgApp]) -> None:
    """The tree measures its lines without drawing them: every kind of label (domains with
    counts and markers, tables with a check badge or a snapshot mark, missing key tables,
    expanded or not) must measure what it draws."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        tree = screen.query_one(DomainTree)
        for node in tree.root.children:
            node.expand()
        await pilot.pause()
        tables = [
            n for d in tree.root.children for n in d.children if isinstance(n.data, TableEntry)
        ]
        names = [n.data.table.qualified_name for n in tables]  # type: ignore[union-attr]
        tree.set_badges({names[0]: "!", names[1]: "i"})
        tree.set_change_marks({names[0]: "~", names[2]: "+"})
        await pilot.pause()
        nodes = [
            tree.root,
            *tree.root.children,
            *(c for d in tree.root.children for c in d.children),
        ]
        kinds = {type(n.data).__name__ for n in nodes}
        assert {"DomainEntry", "TableEntry", "MissingEntry"} <= kinds
        style = tree.rich_style
        for node in nodes:
            drawn = tree.render_label(node, style, style)
            assert tree.get_label_width(node) == drawn.cell_len, drawn.plain
        tree.root.children[0].collapse()
        await pilot.pause()
        folded = tree.root.children[0]
        assert tree.get_label_width(folded) == tree.render_label(folded, style, style).cell_len


async def test_filter_then_enter_opens_table(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await pilot.press("slash", *"strategic_dir")
        await pilot.pause()
        tree = screen.query_one(DomainTree)
        listed = [
            n.data.table.qualified_name
            for d in tree.root.children
            for n in d.children
            if isinstance(n.data, TableEntry)
        ]
        assert listed and listed[0] == SD_TABLE
        assert tree.first_match() == SD_TABLE
        await pilot.press("enter")
        await pilot.pause()
        assert screen.selected == SD_TABLE
        assert tree.highlighted_table == SD_TABLE
        assert tree.filter_text == ""
        assert screen.query_one(TableDetail).table == _sd(app)


async def test_tabs_show_the_catalog(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        screen.query_one(DomainTree).select_table(SD_TABLE)
        await pilot.pause()
        table = _sd(app)
        detail = screen.query_one(TableDetail)
        summary = str(screen.query_one(TableSummary).render())
        assert SD_TABLE in summary and "Strategic Directives" in summary
        assert ("RLS on" in summary) == table.rls_enabled

        columns = screen.query_one(ColumnsGrid).cell_texts()
        assert [row[0] for row in columns] == [c.name for c in table.columns]
        for row, column in zip(columns, table.columns, strict=True):
            assert row[1].startswith(column.data_type)
            assert row[2] == ("NOT NULL" if column.not_null else "null")
        pk = table.primary_key
        assert pk is not None
        assert next(r for r in columns if r[0] == pk.columns[0])[3].startswith("PK")

        detail.show_tab("constraints")
        await pilot.pause()
        constraints = screen.query_one("#constraints-grid", DetailGrid).cell_texts()
        # by name, as describe, ddl, snapshots and pg_dump list them (the key is not first)
        assert [r[0] for r in constraints] == sorted(c.name for c in table.constraints)
        assert constraints[0][0] != "strategic_directives_v2_pkey"
        referenced = screen.query_one("#referenced-by-grid", DetailGrid).cell_texts()
        assert sorted(r[1] for r in referenced) == sorted(
            r.constraint_name for r in table.referenced_by
        )

        detail.show_tab("indexes")
        await pilot.pause()
        indexes = screen.query_one(IndexesGrid).cell_texts()
        assert {r[0]: r[6] for r in indexes} == {
            i.name: one_line(i.definition, 200) for i in table.indexes
        }

        detail.show_tab("policies")
        await pilot.pause()
        assert table.policies, "the demo's strategic_directives_v2 has policies"
        title = str(detail.tabs.get_tab("policies").label)
        full = tab_titles(table)["policies"]  # used when every full title fits the bar
        assert f"Policies {len(table.policies)}" in full and "RLS on" in full
        assert title in (full, tab_titles(table, "compact")["policies"])
        policies = screen.query_one("#policies-grid", DetailGrid).cell_texts()
        expected = sorted(table.policies, key=lambda p: p.name)
        assert [r[0] for r in policies] == [p.name for p in expected]
        for row, policy in zip(policies, expected, strict=True):
            assert row[1] == policy.command
            assert row[2] == ", ".join(policy.roles)
            assert row[4] == one_line(policy.using, 80)
            assert row[5] == one_line(policy.with_check, 80)
        panel = str(screen.query_one("#policy-detail").render())
        assert expected[0].name in panel and (expected[0].using or "—") in panel
        screen.query_one("#policies-grid", DetailGrid).move_cursor(row=2)
        await pilot.pause()
        panel = str(screen.query_one("#policy-detail").render())  # follows the grid's cursor
        assert expected[2].name in panel and expected[0].name not in panel

        detail.show_tab("triggers")
        await pilot.pause()
        triggers = screen.query_one(TriggersGrid).cell_texts()
        assert [r[0] for r in triggers] == sorted(t.name for t in table.triggers)

        detail.show_tab("ddl")
        await pilot.pause()
        ddl = screen.query_one(DdlView).text
        assert "CREATE TABLE" in ddl and "strategic_directives_v2" in ddl


async def test_switching_tables_fills_only_the_active_tab(
    make_app: Callable[..., EhgApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        tree = screen.query_one(DomainTree)
        tree.select_table(SD_TABLE)
        await pilot.pause()
        assert screen.query_one(TabbedContent).active == "columns"
        before = screen.query_one(IndexesGrid).row_count
        assert before == 0  # never shown, never filled
        await pilot.press("j")  # the table below, in the same domain (it is listed first)
        await pilot.pause()
        assert screen.selected != SD_TABLE
        assert screen.query_one(IndexesGrid).row_count == 0


async def test_switching_relabels_only_the_tabs_that_changed(
    make_app: Callable[..., EhgApp],
) -> None:
    messages: list[Message] = []
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await loaded(pilot)
        detail = screen.query_one(TableDetail)
        screen.show_table(SD_TABLE)
        await pilot.pause()
        other = "public.sd_phase_handoffs"
        messages.clear()
        screen.show_table(other)
        await pilot.pause()
        catalog = screen.catalog
        assert catalog is not None
        table = catalog.table(other)
        assert table is not None
        labels = {tab: detail.tabs.get_tab(tab).label.plain for tab in tab_titles(table)}
        assert labels == tab_titles(table, "compact")  # 84 columns: the compact titles
        # the counts changed width ("Cons 11" → "Cons 3"): the tab bar hears at most once, not
        # per tab (the hook sees the message at every widget it bubbles through)
        await settle(pilot)
        assert len({id(m) for m in messages if isinstance(m, Tab.Relabelled)}) <= 1
        underline, active = _underline_and_active_tab(detail)
        assert underline == active
        messages.clear()
        screen.show_table(other)  # the same titles again: nothing is relabelled
        await settle(pilot)
        assert not [m for m in messages if isinstance(m, Tab.Relabelled)]


async def test_the_underline_follows_the_active_tab_after_a_layout(
    make_app: Callable[..., EhgApp],
) -> None:
    # The tab bar measures the active tab once after a relabel; when that measure came before
    # the tab's own layout, the underline kept the old title's width. Here the title changes
    # with no word to the tab bar at all: only the layout can move the underline.
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        detail = screen.query_one(TableDetail)
        await settle(pilot)
        before, _ = _underline_and_active_tab(detail)
        with detail.prevent(Tab.Relabelled):
            detail.tabs.get_tab("columns").label = "Columns, and a much longer title"
        await settle(pilot)
        underline, active = _underline_and_active_tab(detail)
        assert active[1] - active[0] > before[1] - before[0]
        assert underline == active


def _underline_and_active_tab(detail: TableDetail) -> tuple[tuple[int, int], tuple[int, int]]:
    """The columns the tab bar's underline spans, and those of the active tab's title."""
    bar = detail.tabs.query_one(Tabs)
    active = bar.active_tab
    assert active is not None
    underline = bar.query_one(Underline)
    span = active.virtual_region.shrink(active.styles.gutter).column_span
    return (underline.highlight_start, underline.highlight_end), span


async def test_reload_keeps_selection_and_sees_changes(
    make_app: Callable[..., EhgApp], pg18: TestServer, demo_db: str
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        screen.query_one(DomainTree).select_table(SD_TABLE)
        await pilot.pause()
        old_catalog = screen.catalog
        pg18.psql(demo_db, "ALTER TABLE strategic_directives_v2 ADD COLUMN tui_probe integer")
        try:
            await pilot.press("r")
            await settle(pilot, lambda: screen.catalog is not old_catalog)
            assert screen.selected == SD_TABLE
            assert screen.query_one(DomainTree).highlighted_table == SD_TABLE
            names = [r[0] for r in screen.query_one(ColumnsGrid).cell_texts()]
            assert names[-1] == "tui_probe"
        finally:
            pg18.psql(demo_db, "ALTER TABLE strategic_directives_v2 DROP COLUMN tui_probe")


async def test_help_lists_every_binding(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one("#help-table", DataTable)
        actions = {str(table.get_row_at(i)[2]) for i in range(table.row_count)}
        for binding in [*ExplorerScreen.BINDINGS, *DomainTree.BINDINGS, *app.BINDINGS]:
            assert isinstance(binding, Binding)
            assert (binding.tooltip or binding.description) in actions
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, HelpScreen)


async def test_pool_is_closed_on_exit(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        pool = screen.pool
        assert pool is not None
        await pilot.press("q")
        await pilot.pause()
    assert pool.is_closing()


async def test_filter_previews_best_match_and_escape_restores(
    make_app: Callable[..., EhgApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        tree = screen.query_one(DomainTree)
        await pilot.press("slash", *"sd_phase_hand")
        await pilot.pause()
        assert screen.selected == "public.sd_phase_handoffs"  # the detail previews it
        await pilot.press("escape")
        await pilot.pause()
        assert tree.filter_text == ""
        assert app.focused is tree
        assert tree.highlighted_table == "public.sd_phase_handoffs"
        # the whole tree is back: every domain is listed again
        assert screen.domain_map is not None
        assert len(tree.root.children) == len(screen.domain_map.groups)


async def test_vi_keys_move_in_tree_and_grid(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        tree = screen.query_one(DomainTree)
        tree.select_table(SD_TABLE)
        await pilot.pause()
        await pilot.press("j")  # SD_TABLE is its group's first: the next table is below
        await pilot.pause()
        below = screen.selected
        assert below not in (None, SD_TABLE)
        await pilot.press("k")
        await pilot.pause()
        assert screen.selected == SD_TABLE
        await pilot.press("enter")  # opens: focus moves to the detail's grid
        await pilot.pause()
        grid = screen.query_one(ColumnsGrid)
        assert app.focused is grid
        await pilot.press("j", "j")
        assert grid.cursor_row == 2
        await pilot.press("escape")
        assert app.focused is tree


async def test_small_terminal_narrows_the_tree(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        assert screen.has_class("-narrow")
        tree_width = screen.query_one("#tree-pane").size.width
        assert tree_width <= 30
        detail = screen.query_one(TableDetail)
        assert detail.compact
        screen.show_table(SD_TABLE)
        await pilot.pause()
        table = detail.table
        assert table is not None
        labels = {tab: detail.tabs.get_tab(tab).label.plain for tab in TAB_IDS}
        # the compact titles would scroll the tab bar: the tiny ones keep all ten in view
        assert labels == tab_titles(table, "tiny")
        assert labels["columns"] == "Cols" and labels["ddl"] == "DDL"
        assert labels["policies"] == f"Pol {len(table.policies)} {RLS_MARKS['on']}"
        bar = detail.tabs.query_one(Tabs).region
        for tab in TAB_IDS:
            region = detail.tabs.get_tab(tab).region
            assert region.width > 0 and bar.contains_region(region), tab


async def test_theme_is_applied_and_remembered(demo_dsn: str, tmp_path: Path) -> None:
    from ehgtui.config import Config, load_config, user_config_file

    app = build_app(lambda: ConnectionTarget(demo_dsn, "test"), ("public",), Config(theme="nord"))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        assert app.theme == "nord"
        app.theme = "gruvbox"
        await settle(pilot)
    assert 'theme = "gruvbox"' in user_config_file().read_text(encoding="utf-8")
    assert load_config(cwd=tmp_path).theme == "gruvbox"


async def test_the_summary_says_why_a_table_sits_in_its_domain(
    make_app: Callable[..., EhgApp],
) -> None:
    """A table placed by a foreign key, a plural or a small prefix group says so after its
    domain's name; a table its domain's rules name says `by name rule`."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        await pilot.press("slash", *"exit_readiness")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert screen.selected == "public.exit_readiness_reviews"
        summary = str(screen.query_one(TableSummary).render())
        assert "table · Ventures (FK → ventures)" in summary
        for name, expected in (
            ("public.agents", "Agent System (plural: agents ~ agent_)"),
            ("public.adam_directives", "adam_* (prefix adam_)"),
            (SD_TABLE, "Strategic Directives (by name rule)"),
        ):
            assert screen.show_table(name)
            await pilot.pause()
            assert expected in str(screen.query_one(TableSummary).render()), name
