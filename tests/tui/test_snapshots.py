"""SVG snapshots of the explorer on the demo database, at 120x36 and 80x24.

Deterministic by construction: the header shows a fixed DSN label (StableLabelTarget), and
`stable=True` hides sizes and row estimates; everything else comes from the demo schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from ehgtui.catalog.objects import ObjectRef
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


async def _function_body(pilot: Pilot[None]) -> None:
    """The trigger function of strategic_directives_v2's status trigger, on its Body tab."""
    screen = await loaded(pilot)
    await pilot.press("slash", *"notify_sd_status", "enter")
    await settle(pilot)
    assert screen.selected_object == ObjectRef("function", "public.notify_sd_status_change()")


async def _type_definition(pilot: Pilot[None]) -> None:
    """The sd_status enum: its labels in order."""
    screen = await loaded(pilot)
    await pilot.press("slash", *"sd_status", "enter")
    await settle(pilot)
    assert screen.selected_object == ObjectRef("type", "public.sd_status")


@pytest.mark.parametrize("size", SIZES)
def test_function(
    snap_compare: Any, make_app: Callable[..., EhgApp], size: tuple[int, int]
) -> None:
    assert snap_compare(make_app(stable=True), terminal_size=size, run_before=_function_body)


@pytest.mark.parametrize("size", SIZES)
def test_type(snap_compare: Any, make_app: Callable[..., EhgApp], size: tuple[int, int]) -> None:
    assert snap_compare(make_app(stable=True), terminal_size=size, run_before=_type_definition)
