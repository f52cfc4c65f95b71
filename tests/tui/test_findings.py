"""Built-in checks in the TUI: findings screen, jump to table, tree badges, ping, migration
status and docs export, on the real demo database."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from ehgtui.catalog.objects import ObjectRef
from ehgtui.checks.conventions import check_conventions
from ehgtui.checks.findings import sort_findings
from ehgtui.checks.rls import check_rls
from ehgtui.checks.security import check_security
from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.docs.render import README
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.screens.docs_export import DocsExportScreen
from ehgtui.tui.screens.findings import FindingsScreen, badges_for
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.screens.results import ResultsScreen
from ehgtui.tui.tasks_commands import ChecksProvider
from ehgtui.tui.widgets.tree.domain_tree import DomainTree, TableEntry
from tests.tui.conftest import loaded, settle


def _app(demo_dsn: str, project_dir: Path) -> EhgApp:
    target = ConnectionTarget(demo_dsn, "test")
    return build_app(lambda: target, ("public",), Config(), project_dir=project_dir)


async def _run_hit(pilot: Pilot[None], screen: ExplorerScreen, title: str) -> None:
    hits = [hit async for hit in ChecksProvider(screen).search(title) if hit.text == title]
    assert hits, f"no palette hit {title!r}"
    hits[0].command()
    await settle(pilot)


def _label(tree: DomainTree, qualified_name: str) -> str:
    assert tree.select_table(qualified_name, post=False)
    node = tree.cursor_node
    assert node is not None and isinstance(node.data, TableEntry)
    return tree.render_label(node, Style(), Style()).plain


async def test_checks_provider_lists_the_builtins(demo_dsn: str, tmp_path: Path) -> None:
    app = _app(demo_dsn, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        discovered = [hit.text async for hit in ChecksProvider(screen).discover()]
        assert discovered == [
            "Check: RLS coverage",
            "Check: schema conventions",
            "Check: security (splinter lints)",
            "Export schema docs…",
            "Migration status",
            "Ping",
        ]
        hits = [hit async for hit in ChecksProvider(screen).search("rls")]
        assert max(hits, key=lambda hit: hit.score).text == "Check: RLS coverage"


async def test_rls_findings_screen_lists_exactly_the_check(demo_dsn: str, tmp_path: Path) -> None:
    app = _app(demo_dsn, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        assert screen.catalog is not None
        expected = sort_findings(check_rls(screen.catalog))
        assert expected  # the demo schema carries deliberate RLS defects
        await _run_hit(pilot, screen, "Check: RLS coverage")
        findings_screen = app.screen
        assert isinstance(findings_screen, FindingsScreen)
        assert findings_screen.findings == expected
        table = findings_screen.query_one(DataTable)
        rows = [tuple(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert rows == [(f.level, f.table, f.code, f.message, f.source or "") for f in expected]

        # enter on a finding closes the results and opens its table
        target = expected[-1]
        table.move_cursor(row=len(expected) - 1)
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, lambda: screen.selected == target.table)
        assert app.screen is screen
        tree = screen.query_one(DomainTree)
        assert tree.highlighted_table == target.table

        # the tree badges every table with a finding, after its RLS marker
        assert tree.badges == badges_for(expected)
        first = expected[0]
        assert first.level == "error"
        label = _label(tree, first.table)
        assert label.split(" ")[0].endswith("!")
        clean = next(t for t in screen.catalog.tables if t.qualified_name not in tree.badges)
        assert "!" not in _label(tree, clean.qualified_name)


async def test_conventions_check_replaces_the_badges(demo_dsn: str, tmp_path: Path) -> None:
    app = _app(demo_dsn, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        assert screen.catalog is not None
        expected = sort_findings(check_conventions(screen.catalog))
        await _run_hit(pilot, screen, "Check: schema conventions")
        assert isinstance(app.screen, FindingsScreen)
        assert app.screen.findings == expected
        assert app.screen.query_one(DataTable).row_count == len(expected)
        assert screen.query_one(DomainTree).badges == badges_for(expected)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen


async def test_ping_results(demo_dsn: str, tmp_path: Path) -> None:
    app = _app(demo_dsn, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        assert screen.target is not None
        await _run_hit(pilot, screen, "Ping")
        results_screen = app.screen
        assert isinstance(results_screen, ResultsScreen)
        assert results_screen.failure is None and results_screen.results is not None
        facts = dict(results_screen.results.rows)
        assert facts["target"] == screen.target.masked
        assert facts["server"].startswith("PostgreSQL 18")
        assert facts["transaction_read_only"].startswith("on")
        assert results_screen.results.summary.startswith("reachable: ")


async def test_migration_status_against_project_files(demo_dsn: str, tmp_path: Path) -> None:
    migrations = tmp_path / "supabase" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "20990101000000_future_change.sql").write_text("SELECT 1;\n")
    app = _app(demo_dsn, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await _run_hit(pilot, screen, "Migration status")
        results_screen = app.screen
        assert isinstance(results_screen, ResultsScreen)
        assert results_screen.results is not None, results_screen.failure
        pending = [row for row in results_screen.results.rows if row[0] == "pending"]
        assert [row[:3] for row in pending] == [("pending", "20990101000000", "future_change")]
        assert Path(pending[0][3]).parent == migrations
        assert "1 pending" in results_screen.results.summary


async def test_migration_status_without_migration_dirs_is_one_line(
    demo_dsn: str, tmp_path: Path
) -> None:
    app = _app(demo_dsn, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        await _run_hit(pilot, screen, "Migration status")
        results_screen = app.screen
        assert isinstance(results_screen, ResultsScreen)
        assert results_screen.failure is not None
        assert "neither supabase/migrations nor database/migrations" in results_screen.failure
        assert "\n" not in results_screen.failure


async def test_export_docs_asks_the_directory_and_writes(demo_dsn: str, tmp_path: Path) -> None:
    app = _app(demo_dsn, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        assert screen.catalog is not None
        await _run_hit(pilot, screen, "Export schema docs…")
        export = app.screen
        assert isinstance(export, DocsExportScreen)
        field = export.query_one(Input)
        assert field.value == str(tmp_path / "docs" / "schema")
        field.value = "out/docs"
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen)
        outdir = tmp_path / "out" / "docs"
        assert (outdir / README).is_file()
        assert export.report is not None
        written = len(export.report.written)
        assert written == len([p for p in outdir.rglob("*.md")])
        assert written >= len(screen.catalog.tables)
        messages = [n.message for n in app._notifications]
        assert (
            f"{written} files written to {outdir} (0 unchanged, 0 stale pages removed)" in messages
        )


async def test_a_security_finding_opens_its_function(demo_dsn: str, tmp_path: Path) -> None:
    """splinter's lints name functions and extensions too: enter opens that object."""
    app = _app(demo_dsn, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        assert screen.catalog is not None
        expected = sort_findings(check_security(screen.catalog))
        await _run_hit(pilot, screen, "Check: security (splinter lints)")
        findings_screen = app.screen
        assert isinstance(findings_screen, FindingsScreen)
        assert findings_screen.findings == expected
        row, target = next((i, f) for i, f in enumerate(expected) if f.object_kind == "function")
        findings_screen.query_one(DataTable).move_cursor(row=row)
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot, lambda: screen.selected_object is not None)
        assert app.screen is screen
        assert screen.selected_object == ObjectRef("function", target.table)
