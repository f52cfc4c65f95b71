"""Write migration…: after Compare with snapshot, the palette shows the SQL from the snapshot
to the live schema with its hazards highlighted; `y` copies it and ctrl+s writes it to the
project's supabase/migrations/ (never replacing a file); before any comparison it says so."""

from __future__ import annotations

from pathlib import Path

import asyncpg
from textual.widgets import Static

from ehgtui.catalog.loader import load_catalog
from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.diff.snapshot import write_snapshot
from ehgtui.tui.app import build_app
from ehgtui.tui.commands import RowsAndSnapshotProvider
from ehgtui.tui.screens.copy_fallback import CopyFallbackScreen
from ehgtui.tui.screens.migration_sql import MigrationSqlScreen, highlighted
from ehgtui.tui.screens.snapshot_compare import SnapshotCompareScreen
from tests.pg import TestServer
from tests.tui.conftest import loaded, settle

CHANGE = """
ALTER TABLE public.ventures ADD COLUMN write_probe integer;
ALTER TABLE public.bookmarks DROP COLUMN ratio;
"""
WRITE = "Catalog: Write migration…"


async def test_write_migration_shows_copies_and_writes_the_sql(
    pg18: TestServer, tmp_path: Path
) -> None:
    database = pg18.demo_database()
    dsn = pg18.dsn(database)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=2)
    try:
        write_snapshot(await load_catalog(pool, ("public",)), tmp_path / "before.json")
    finally:
        await pool.close()
    pg18.psql(database, CHANGE)
    project = tmp_path / "project"
    (project / "supabase").mkdir(parents=True)

    target = ConnectionTarget(dsn, "test")
    app = build_app(lambda: target, ("public",), Config(), use_cache=False, project_dir=project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot)
        commands = {t: c for t, c, _ in RowsAndSnapshotProvider(screen)._commands()}

        # before any comparison: one line saying what to do first, no modal
        await commands[WRITE]()  # type: ignore[misc]
        await settle(pilot)
        assert not isinstance(app.screen, MigrationSqlScreen)
        assert any("compare with a snapshot first" in n.message for n in app._notifications)

        commands["Catalog: Compare with snapshot…"]()
        await settle(pilot, lambda: isinstance(app.screen, SnapshotCompareScreen))
        app.screen.query_one("Input").value = str(tmp_path / "before.json")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, lambda: not isinstance(app.screen, SnapshotCompareScreen))

        await commands[WRITE]()  # type: ignore[misc]
        await settle(pilot, lambda: isinstance(app.screen, MigrationSqlScreen))
        modal = app.screen
        assert isinstance(modal, MigrationSqlScreen)
        await settle(pilot, lambda: modal.written is not None)
        written = modal.written
        assert written is not None
        lines = written.sql.splitlines()
        assert "ALTER TABLE public.ventures ADD COLUMN write_probe integer;" in lines
        # the drop loses data: held back, as the CLI does without --allow-data-loss
        assert "-- ALTER TABLE public.bookmarks DROP COLUMN ratio;" in lines
        assert "ALTER TABLE public.bookmarks DROP COLUMN ratio;" not in lines
        hazards = str(modal.query_one("#migration-sql-hazards", Static).render())
        assert "hazard: data loss: public.bookmarks.ratio" in hazards and "held back" in hazards
        # the hazard comment is highlighted in the error colour, the statement is not
        assert "-- hazard (data loss)" in str(modal.query_one("#migration-sql-text").render())
        shown = highlighted(written.sql)
        at = shown.plain.index("-- hazard (data loss)")
        assert [str(s.style) for s in shown.spans if s.start <= at < s.end] == ["bold red"]
        add = shown.plain.index("ALTER TABLE public.ventures ADD COLUMN write_probe")
        assert not [s for s in shown.spans if s.start <= add < s.end and str(s.style)]

        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == written.sql
        if isinstance(app.screen, CopyFallbackScreen):  # headless: no clipboard reached
            await pilot.press("escape")
            await settle(pilot)
        assert app.screen is modal

        await pilot.press("ctrl+s")
        await settle(pilot, lambda: not isinstance(app.screen, MigrationSqlScreen))
        files = list((project / "supabase" / "migrations").glob("*.sql"))
        assert len(files) == 1 and files[0].name.endswith("_from_snapshot.sql")
        assert len(files[0].name.split("_")[0]) == 14
        assert files[0].read_text() == written.sql

        # a second file in the same second is never written over the first
        await commands[WRITE]()  # type: ignore[misc]
        await settle(pilot, lambda: isinstance(app.screen, MigrationSqlScreen))
        second = app.screen
        assert isinstance(second, MigrationSqlScreen)
        await settle(pilot, lambda: second.written is not None)
        files[0].write_text("kept")
        second._write_file(files[0].name, written.sql)
        await settle(pilot)
        error = str(second.query_one("#migration-sql-error", Static).render())
        assert "already exists; not overwriting it" in error
        assert files[0].read_text() == "kept"
