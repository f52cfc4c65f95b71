"""The TUI on a hostile schema: names, comments, policies and rows holding escape sequences,
C1 controls, RTL overrides and markup. It must open, show every tab and the palette, and never
write the data's escape sequences to the terminal nor parse the data as markup.

What is checked is what Textual's driver would write: each frame is rendered to the terminal
sequence the app sends (the compositor's full update, as `App._display` renders it). Textual's
test harness shows no toasts unless asked, so the notification tests ask for them.
"""

from __future__ import annotations

import dataclasses
import functools
import re

from textual._compositor import CompositorUpdate
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.content import Content
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from ehgtui.catalog.model import Catalog
from ehgtui.catalog.objects import ref_of
from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.diff.compare import diff_catalogs
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.widgets.detail.diff import DiffView
from ehgtui.tui.widgets.detail.object_detail import ObjectDetail
from ehgtui.tui.widgets.detail.relations import RelationsView
from ehgtui.tui.widgets.detail.table_detail import TAB_IDS, TableDetail
from ehgtui.tui.widgets.tree.domain_tree import DomainTree
from tests.hostile import (  # noqa: F401 (fixtures)
    DATA_ESCAPES,
    HOSTILE_TABLES,
    SHOWN,
    hostile_db,
)
from tests.tui.conftest import explorer, loaded, settle

SIZE = (160, 50)


def frame(app: App[None]) -> str:
    """The whole current screen as the terminal sequence the driver would be sent."""
    update = app.screen._compositor.render_update(full=True)
    assert isinstance(update, CompositorUpdate)
    return update.render_segments(app.console)


_APP_SEQUENCES = re.compile("\x1b\\[[0-9;?]*[A-Za-z]")
"""The app's own cursor moves and colours (checked for the data's first, then taken out)."""


def assert_safe(app: App[None], where: str) -> str:
    """Check one frame for the data's escape sequences; return the text it shows."""
    written = frame(app)
    found = DATA_ESCAPES.findall(written)
    assert not found, f"{where}: the data's escape sequences reached the terminal: {found}"
    return _APP_SEQUENCES.sub("", written)


def _has_options(commands: CommandList) -> bool:
    return commands.option_count > 0


def _app(dsn: str) -> EhgApp:
    return build_app(lambda: ConnectionTarget(dsn, "test"), ("public",), Config(), use_cache=False)


def _catalog(app: EhgApp) -> Catalog:
    catalog = explorer(app).catalog
    assert catalog is not None
    return catalog


async def test_every_tab_of_every_hostile_table(hostile_db: str) -> None:  # noqa: F811
    app = _app(hostile_db)
    shown: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        catalog = _catalog(app)
        assert {t.name for t in catalog.tables} >= set(HOSTILE_TABLES)
        # a snapshot without hostile_main: the Diff tab then lists all of it as added
        before = dataclasses.replace(
            catalog, tables=tuple(t for t in catalog.tables if t.name != "hostile_main")
        )
        detail = screen.query_one(TableDetail)
        await detail.mount_bodies()
        detail.body(DiffView).show_diff(diff_catalogs(before, catalog, None), None)
        tree = screen.query_one(DomainTree)
        for name in HOSTILE_TABLES:
            assert tree.select_table(f"public.{name}"), name
            await settle(pilot)
            for tab in TAB_IDS:
                detail.show_tab(tab)
                await settle(pilot)
                shown.append(assert_safe(app, f"{name!r}, tab {tab}"))
        assert app.is_running
    everything = "".join(shown)
    for token in SHOWN:
        assert token in everything, f"{token} never shown"
    # markup in names is shown as written, not applied
    for literal in ("[/]", "[@click=app.quit]clickme[/]", "[bold red]x"):
        assert literal in everything
    # the Rows tab shows row values, made visible
    assert "row\\x1b]52;c;aGVsbG8=\\x07" in everything
    assert "multi↵line\\rcr" in everything  # newline drawn as ↵ (as cut() does), CR a token


async def test_every_tab_of_a_hostile_function_and_type(hostile_db: str) -> None:  # noqa: F811
    """A function and an enum whose names, labels, comment and body hold the payloads: the
    tree, every tab of each and the palette show them as text."""
    app = _app(hostile_db)
    shown: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        catalog = _catalog(app)
        refs = [ref_of(f) for f in catalog.functions if f.name.startswith("fn")]
        refs += [ref_of(t) for t in catalog.types if t.name.startswith("mood")]
        assert len(refs) == 2
        tree = screen.query_one(DomainTree)
        detail = screen.query_one(ObjectDetail)
        for ref in refs:
            assert tree.select_table(ref), ref
            await settle(pilot)
            assert detail.kind is not None
            for tab in detail.kind.tabs:
                detail.show_tab(tab.id)
                await settle(pilot)
                shown.append(assert_safe(app, f"{ref.key!r}, tab {tab.id}"))
        app.action_command_palette()
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await pilot.press(*"mood")
        commands = palette.query_one(CommandList)
        await settle(pilot, functools.partial(_has_options, commands))
        shown.append(assert_safe(app, "palette mood"))
        assert app.is_running
    everything = "".join(shown)
    for token in SHOWN:
        assert token in everything, f"{token} never shown"
    assert "fn\\x1b[2J[@click=app.quit]x[/]" in everything  # the name, as written
    assert "Go to type: public.mood\\x1b]0;pwned\\x07" in everything


async def test_tree_labels_and_rows_grid_hold_no_markup(hostile_db: str) -> None:  # noqa: F811
    app = _app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(pilot)
        tree = screen.query_one(DomainTree)
        assert tree.select_table("public.hostile_main")
        await settle(pilot)
        detail = screen.query_one(TableDetail)
        detail.show_tab("rows")
        await settle(pilot, lambda: screen.query_one("#rows-grid", DataTable).row_count == 3)
        grid = screen.query_one("#rows-grid", DataTable)
        cells = [str(grid.get_cell_at(Coordinate(r, c))) for r in range(3) for c in range(6)]
        assert "[@click=app.quit]clickme[/]" in cells and "[bold red]x" in cells
        labels = [str(column.label) for column in grid.columns.values()]
        assert "col\\x1b]0;pwned\\x07" in labels and "rtl<U+202E>col" in labels
        assert_safe(app, "rows grid")


async def test_palette_shows_hostile_names_as_text(hostile_db: str) -> None:  # noqa: F811
    app = _app(hostile_db)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for query, expected in [
            ("clickme", "Go to table: public.[@click=app.quit]clickme[/]"),
            ("bold", "Go to table: public.[bold red]x"),
            ("osc52", "Go to table: public.osc52\\x1b]52;c;aGVsbG8=\\x07"),
            ("clear", "Go to table: public.clear\\x1b[2J\\x1b[Hscreen"),
            ("rtl", "Go to table: public.rtl<U+202E>exe.txt"),
            ("[/]", "Go to table: public.[/]"),
        ]:
            app.action_command_palette()
            await settle(pilot)
            palette = app.screen
            assert isinstance(palette, CommandPalette)
            await pilot.press(*query)
            commands = palette.query_one(CommandList)
            await settle(pilot, functools.partial(_has_options, commands))
            prompts = [commands.get_option_at_index(i).prompt for i in range(commands.option_count)]
            plains = [p.plain if isinstance(p, Content) else str(p) for p in prompts]
            assert any(expected in plain for plain in plains), (query, plains)
            for prompt in prompts:  # no link, no action: the name's brackets are only text
                assert isinstance(prompt, Content)
                assert not any("@click" in str(span.style) for span in prompt.spans)
            assert_safe(app, f"palette {query!r}")
            await pilot.press("escape")
            await settle(pilot)
        assert app.is_running


async def test_notification_naming_a_table_in_another_schema(hostile_db: str) -> None:  # noqa: F811
    """An FK to `elsewhere."[/]"` (not loaded): walking to it says so in a notification."""
    app = _app(hostile_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await loaded(pilot)
        assert screen.query_one(DomainTree).select_table("public.hostile_main")
        await settle(pilot)
        detail = screen.query_one(TableDetail)
        detail.show_tab("relations")
        await settle(pilot)
        view = detail.body(RelationsView)
        assert view.picture is not None and view.picture.box_named("elsewhere.[/]") is not None
        view.highlighted = "elsewhere.[/]"
        view.action_open()
        await settle(pilot)
        messages = [n.message for n in app._notifications]
        assert "elsewhere.[/] is not loaded (another schema)" in messages
        written = assert_safe(app, "notification")
        assert "elsewhere.[/] is not loaded" in written
        assert app.is_running


async def test_notifications_show_text_as_written(hostile_db: str) -> None:  # noqa: F811
    app = _app(hostile_db)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await loaded(pilot)
        app.notify("no table [/]\x1b]0;pwned\x07", title="[bold red]x")
        await settle(pilot)
        written = assert_safe(app, "notification")
        assert "no table [/]\\x1b]0;pwned\\x07" in written and "[bold red]x" in written
