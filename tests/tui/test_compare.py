"""Compare with snapshot: a snapshot written before a change marks the changed table in the
tree (a `~` before its RLS marker) and its Diff tab lists the change; a bad path is one line."""

from __future__ import annotations

from pathlib import Path

import asyncpg
from rich.style import Style
from textual.widgets import Input

from ehgtui.catalog.loader import load_catalog
from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.diff.snapshot import write_snapshot
from ehgtui.tui.app import build_app
from ehgtui.tui.commands import RowsAndSnapshotProvider
from ehgtui.tui.screens.snapshot_compare import SnapshotCompareScreen
from ehgtui.tui.widgets.detail.diff import DiffView
from ehgtui.tui.widgets.tree.domain_tree import TableEntry
from ehgtui.tui.widgets.tree.pane import TreePane
from tests.pg import TestServer
from tests.tui.conftest import loaded, settle

VENTURES = "public.ventures"


async def test_compare_marks_changed_table_and_fills_diff_tab(
    pg18: TestServer, tmp_path: Path
) -> None:
    database = pg18.demo_database()
    dsn = pg18.dsn(database)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        write_snapshot(await load_catalog(pool, ("public",)), tmp_path / "before.json")
    finally:
        await pool.close()
    pg18.psql(database, "ALTER TABLE public.ventures ADD COLUMN compare_probe integer")

    target = ConnectionTarget(dsn, "test")
    app = build_app(lambda: target, ("public",), Config(), use_cache=False)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        provider = RowsAndSnapshotProvider(screen)
        titles = [title for title, _, _ in provider._commands()]
        assert "Catalog: Compare with snapshot…" in titles
        compare = dict((t, c) for t, c, _ in provider._commands())
        compare["Catalog: Compare with snapshot…"]()
        await settle(pilot, lambda: isinstance(app.screen, SnapshotCompareScreen))

        box = app.screen.query_one(Input)
        box.value = str(tmp_path / "missing.json")
        await pilot.press("enter")
        await settle(pilot)
        error = str(app.screen.query_one("#compare-error").render())
        assert "missing.json" in error and "\n" not in error.strip()

        box.value = str(tmp_path / "before.json")
        await pilot.press("enter")
        await settle(pilot, lambda: not isinstance(app.screen, SnapshotCompareScreen))

        tree = screen.query_one(TreePane).domain_tree
        assert tree.select_table(VENTURES)
        await settle(pilot)
        node = tree.cursor_node
        assert node is not None and isinstance(node.data, TableEntry)
        label = tree.render_label(node, Style(), Style()).plain
        assert label.startswith("~") and label.endswith("ventures")
        other = next(
            n for n in node.parent.children if n is not node and isinstance(n.data, TableEntry)
        )  # type: ignore[union-attr]
        assert not tree.render_label(other, Style(), Style()).plain.startswith("~")

        assert screen.selected == VENTURES
        screen.query_one("#detail-tabs").active = "diff"  # type: ignore[attr-defined]
        await settle(pilot)
        text = screen.query_one(DiffView).text
        assert "~ table public.ventures changed" in text
        assert "+ column compare_probe" in text
        notes = [n.message for n in app._notifications]
        assert any("1 changed" in n for n in notes), notes
