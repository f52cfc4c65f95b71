"""SVG snapshots of every tab of strategic_directives_v2, at 120x36 and 80x24 (issue 23).

The explorer opens on strategic_directives_v2 (the README's first key table), so each snapshot
is the first screen plus one digit key. Stable as test_snapshots.py is: a fixed DSN label,
`stable=True` (no sizes or estimates), the demo's fixed rows, and no animation. The
Constraints tab's snapshot shows its "Referenced by" grid under the table's own constraints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from ehgtui.tui.app import EhgApp
from ehgtui.tui.widgets.detail.table_detail import TAB_IDS, TableDetail
from tests.tui.conftest import loaded, settle

SIZES = [pytest.param((120, 36), id="120x36"), pytest.param((80, 24), id="80x24")]
SD_TABLE = "public.strategic_directives_v2"
KEYS = dict(zip(TAB_IDS, (*"123456789", "0"), strict=True))
"""The digit that opens each tab."""


def _tab(tab: str) -> Callable[[Pilot[None]], Any]:
    async def run_before(pilot: Pilot[None]) -> None:
        screen = await loaded(pilot)
        assert screen.selected == SD_TABLE
        await pilot.press(KEYS[tab])
        await settle(pilot)
        assert screen.query_one(TableDetail).tabs.active == tab
        if tab == "constraints":
            refs = screen.query_one("#referenced-by-grid")
            assert refs.region.height >= 3  # the header and rows of "Referenced by"

    return run_before


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("tab", TAB_IDS)
def test_sd_tab(
    snap_compare: Any, make_app: Callable[..., EhgApp], tab: str, size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(stable=True), terminal_size=size, run_before=_tab(tab))
