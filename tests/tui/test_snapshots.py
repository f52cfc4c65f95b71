"""SVG snapshots of the explorer on the demo database, at 120x36 and 80x24.

Deterministic by construction: the header shows a fixed DSN label (StableLabelTarget), and
`stable=True` hides sizes and row estimates; everything else comes from the demo schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from ehgtui.tui.app import EhgApp
from tests.tui.conftest import loaded, settle

SIZES = [pytest.param((120, 36), id="120x36"), pytest.param((80, 24), id="80x24")]


async def _main_view(pilot: Pilot[None]) -> None:
    await loaded(pilot)
    await settle(pilot)


async def _policies_tab(pilot: Pilot[None]) -> None:
    await loaded(pilot)
    await pilot.press("4")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_main_view(
    snap_compare: Any, make_app: Callable[..., EhgApp], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(stable=True), terminal_size=size, run_before=_main_view)


@pytest.mark.parametrize("size", SIZES)
def test_policies_tab(
    snap_compare: Any, make_app: Callable[..., EhgApp], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(stable=True), terminal_size=size, run_before=_policies_tab)
