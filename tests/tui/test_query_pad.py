"""The query pad on the real demo database: completion, a result and its copy, EXPLAIN, an
error's position, the record view."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from ehgtui.query.complete import DEFAULT_LIMIT
from ehgtui.query.export import result_csv
from ehgtui.tui.app import EhgApp
from ehgtui.tui.screens.query_pad import QueryScreen
from ehgtui.tui.screens.record_view import RecordScreen
from ehgtui.tui.widgets.query.result_grid import ResultGrid
from tests.tui.conftest import loaded, settle


async def open_pad(pilot: Pilot[None]) -> QueryScreen:
    await loaded(pilot)
    await pilot.press("s")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, QueryScreen)
    return screen


async def run(pilot: Pilot[None], pad: QueryScreen, sql: str) -> None:
    pad.set_text(sql)
    await pilot.pause()
    await pilot.press("ctrl+j")
    await settle(pilot)


async def test_completion_lists_the_columns_of_an_aliased_table(
    make_app: Callable[..., EhgApp],
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pad = await open_pad(pilot)
        pad.set_text(" from strategic_directives_v2 sd")
        pad.editor.move_cursor((0, 0))
        await pilot.press(*"select sd.")
        await pilot.pause()
        found = pad.editor.completion
        assert found is not None
        table = pad._explorer().catalog.table("public.strategic_directives_v2")  # type: ignore[union-attr]
        assert table is not None
        names = [c.name for c in table.columns]
        assert [s.text for s in found.items] == names[:DEFAULT_LIMIT]
        await pilot.press("t", "i")
        await pilot.pause()
        assert pad.editor.completion is not None
        assert pad.editor.completion.items[0].text == "title"
        await pilot.press("tab")
        assert pad.editor.text.startswith("select sd.title from")


async def test_a_result_is_shown_and_copied_as_csv(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pad = await open_pad(pilot)
        sql = "select id, title from strategic_directives_v2 order by id limit 5"
        await run(pilot, pad, sql)
        grid = pad.query_one(ResultGrid)
        assert pad.result is not None and len(pad.result.rows) == 5
        assert [row[1] for row in grid.cell_texts()] == [row[1] for row in pad.result.rows]
        status = str(pad.query_one("#pad-status").render())
        assert "5 rows" in status and " ms" in status
        assert app.focused is grid
        await pilot.press("C")
        await settle(pilot)
        assert app.clipboard == result_csv(("id", "title"), pad.result.rows)
        assert app.clipboard.splitlines()[0] == "id,title"


async def test_explain_shows_a_plan_tree(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pad = await open_pad(pilot)
        await run(
            pilot,
            pad,
            "explain analyze select * from strategic_directives_v2 where title like '%a%'",
        )
        tree: Tree[None] = pad.query_one("#pad-plan", Tree)
        assert pad.plan is not None
        labels = [str(tree.root.label)] + [str(n.label) for n in _walk(tree.root)]
        assert any("Seq Scan on strategic_directives_v2" in label for label in labels)
        assert any(label.startswith("Filter: ") for label in labels)
        assert any("actual time=" in label for label in labels)
        assert str(tree.root.label).startswith("EXPLAIN ANALYZE")


def _walk(node: TreeNode[None]) -> list[TreeNode[None]]:
    out = []
    for child in node.children:
        out.append(child)
        out.extend(_walk(child))
    return out


async def test_an_error_marks_its_position(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pad = await open_pad(pilot)
        text = "select 1;\nselect id,\n  no_such_column\nfrom strategic_directives_v2"
        pad.set_text(text)
        pad.editor.move_cursor((1, 3))  # in the second statement
        await pilot.press("ctrl+j")
        await settle(pilot)
        error = str(pad.query_one("#pad-error").render())
        assert 'column "no_such_column" does not exist' in error
        assert pad.editor.cursor_location == (2, 2)
        assert "line 3, column 3" in error


async def test_the_record_view_shows_one_row(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        pad = await open_pad(pilot)
        await run(
            pilot,
            pad,
            "select id, title, priority from strategic_directives_v2 order by id limit 3",
        )
        await pilot.press("down")
        await pilot.press("x")
        await pilot.pause()
        record = app.screen
        assert isinstance(record, RecordScreen)
        assert pad.result is not None
        second = pad.result.rows[1]
        lines = record.body.plain.splitlines()
        assert [line.split(" │ ")[0].strip() for line in lines] == ["id", "title", "priority"]
        assert lines[0].endswith(second[0] or "") and (second[1] or "") in lines[1]
        assert record.title_text == "row 2 of 3"


async def test_the_pad_is_off_with_no_rows(demo_dsn: str) -> None:
    from ehgtui.config import Config
    from ehgtui.db.settings import ConnectionTarget
    from ehgtui.tui.app import build_app
    from ehgtui.tui.screens.query_pad import PAD_OFF

    target = ConnectionTarget(demo_dsn, "test")
    app = build_app(lambda: target, ("public",), Config(), rows_enabled=False, use_cache=False)
    async with app.run_test(size=(120, 36)) as pilot:
        pad = await open_pad(pilot)
        await run(pilot, pad, "select 1")
        assert pad.result is None
        assert PAD_OFF in str(pad.query_one("#pad-error").render())


async def test_snippets_and_history_come_back_from_f4(
    demo_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ehgtui.config import Config
    from ehgtui.db.settings import ConnectionTarget
    from ehgtui.tui.app import build_app
    from ehgtui.tui.screens.pad_recall import RecallScreen

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    target = ConnectionTarget(demo_dsn, "test")
    config = Config(
        raw={"query": {"snippets": {"count": "select count(*) from sd_phase_handoffs"}}}
    )
    app = build_app(lambda: target, ("public",), config, use_cache=False)
    async with app.run_test(size=(120, 36)) as pilot:
        pad = await open_pad(pilot)
        await run(pilot, pad, "select 42")
        assert pad.history is not None
        assert stat.S_IMODE(pad.history.path.stat().st_mode) == 0o600
        assert str(tmp_path) in str(pad.history.path)
        await pilot.press("f4")
        await pilot.pause()
        recall = app.screen
        assert isinstance(recall, RecallScreen)
        assert recall.choices == ["select count(*) from sd_phase_handoffs", "select 42"]
        await pilot.press("enter")
        await pilot.pause()
        assert pad.editor.text == "select count(*) from sd_phase_handoffs"


SIZES = [pytest.param((120, 36), id="120x36"), pytest.param((80, 24), id="80x24")]


async def _pad_with_result(pilot: Pilot[None]) -> None:
    pad = await open_pad(pilot)
    await run(
        pilot, pad, "select sd_key, status from strategic_directives_v2 order by sd_key limit 8"
    )
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_pad_snapshot(
    snap_compare: Any, make_app: Callable[..., EhgApp], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(stable=True), terminal_size=size, run_before=_pad_with_result)
