"""Terminals: the TUI starts and draws its tree under xterm-256color and the Linux console,
honours NO_COLOR, and is usable at 80x24.

The first tests run the real `ehgtui` in a pseudo-terminal and read the escape sequences it
writes; the last one drives the app with Pilot at 80x24 and checks the layout.
"""

from __future__ import annotations

import os
import re

import pytest

from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import build_app
from ehgtui.tui.widgets.detail.table_detail import TableDetail
from ehgtui.tui.widgets.tree.domain_tree import DomainTree
from tests.pg import TestServer
from tests.reliability.terminal import PtyProcess
from tests.tui.conftest import loaded

_ESCAPES = re.compile(
    r"\x1b(?:\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|.)"
)
_TRUECOLOR = re.compile(r"\x1b\[[0-9;]*?(?:38|48);2;(\d+);(\d+);(\d+)")
_INDEXED = re.compile(r"\x1b\[[0-9;]*?(?:38|48);5;(\d+)")
_BASIC = re.compile(r"\x1b\[((?:\d+;)*\d+)m")

GREY_INDEXES = {0, 7, 8, 15, *(16 + 43 * k for k in range(6)), *range(232, 256)}
"""256-colour indexes without hue: black, white, the cube's diagonal and the grey ramp."""

BASIC_HUES = {*range(31, 37), *range(41, 47), *range(91, 97), *range(101, 107)}
"""SGR colour codes with a hue (black, white and grey excluded)."""


def _hues(output: str) -> set[str]:
    """Every colour with a hue that output selects (truecolour, 256-colour or basic)."""
    found = {f"rgb{rgb}" for rgb in _TRUECOLOR.findall(output) if len(set(rgb)) != 1}
    found |= {f"idx{i}" for i in map(int, _INDEXED.findall(output)) if i not in GREY_INDEXES}
    for params in _BASIC.findall(output):
        codes = [int(p) for p in params.split(";")]
        if 38 in codes or 48 in codes:
            continue
        found |= {f"sgr{c}" for c in codes if c in BASIC_HUES}
    return found


def _plain(text: str) -> str:
    """What the screen shows, roughly: escape sequences removed."""
    return _ESCAPES.sub("", text)


def _env(term: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("NO_COLOR", None)
    env |= {"TERM": term, **extra}
    return env


@pytest.mark.parametrize("term", ["xterm-256color", "linux"])
def test_tui_draws_the_tree_in_a_real_terminal(demo_db: str, pg18: TestServer, term: str) -> None:
    tui = PtyProcess(["--dsn", pg18.dsn(demo_db)], _env(term), columns=120, rows=36)
    try:
        tui.wait_until(lambda: "Strategic Directives" in _plain(tui.text()), "the domain tree")
        tui.wait_until(lambda: "tables" in _plain(tui.text()), "the table count")
        tui.send(b"q")
        assert tui.wait_exit() == 0
    finally:
        tui.close()
    screen = _plain(tui.text())
    assert "LEO Protocol" in screen and "Traceback" not in screen
    # with colour allowed there is hue: what the NO_COLOR test below rules out
    assert _hues(tui.text())


def test_no_color_leaves_only_greys(demo_db: str, pg18: TestServer) -> None:
    tui = PtyProcess(
        ["--dsn", pg18.dsn(demo_db)], _env("xterm-256color", NO_COLOR="1"), columns=120, rows=36
    )
    try:
        tui.wait_until(lambda: "Strategic Directives" in _plain(tui.text()), "the domain tree")
        tui.send(b"q")
        assert tui.wait_exit() == 0
    finally:
        tui.close()
    output = tui.text()
    assert _INDEXED.findall(output) or _TRUECOLOR.findall(output), "expected grey styling"
    assert _hues(output) == set()


async def test_no_color_is_honoured_by_the_app(
    demo_db: str, pg18: TestServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    target = ConnectionTarget(pg18.dsn(demo_db), "test")
    app = build_app(lambda: target, ("public",), Config())
    assert app.no_color


async def test_usable_at_80x24(demo_db: str, pg18: TestServer) -> None:
    target = ConnectionTarget(pg18.dsn(demo_db), "test")
    app = build_app(lambda: target, ("public",), Config())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(pilot)
        assert screen.catalog is not None
        tree = screen.query_one(DomainTree)
        detail = screen.query_one(TableDetail)
        screen_region = app.screen.region
        for widget in (tree, detail):
            region = widget.region
            assert region.width >= 20 and region.height >= 10, (widget, region)
            assert screen_region.contains_region(region), (widget, region)
        assert not tree.region.overlaps(detail.region)
        text = app.export_screenshot().replace("&#160;", " ")
        assert "Strategic" in text
