"""Full garbage collections wait for a pause instead of landing on a table switch (tui/heap.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from ehgtui.tui.app import EhgApp
from ehgtui.tui.heap import FULL_COLLECTION_EVERY, IdleCollector, freeze_long_lived_objects
from tests.tui.conftest import loaded

MAX_ROUNDS = 200
"""Upper bound on short pauses while waiting for a timer: a safety net, not a timing claim."""


@contextmanager
def full_collections() -> Iterator[list[int]]:
    """Record every generation-2 collection (by its index) while the block runs."""
    seen: list[int] = []

    def record(phase: str, info: dict[str, Any]) -> None:
        if phase == "stop" and info["generation"] == 2:
            seen.append(len(seen))

    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)


async def wait_for(pilot: Pilot[None], done: Callable[[], bool]) -> None:
    for _ in range(MAX_ROUNDS):
        if done():
            return
        await pilot.pause(0.02)
    raise AssertionError("the idle collection never ran")


async def test_pokes_in_a_row_end_in_one_full_collection_once_quiet() -> None:
    app: App[None] = App()
    async with app.run_test() as pilot:
        collector = IdleCollector(app, delay=0.2)
        with full_collections() as seen:
            for _ in range(3):  # three switches in a row: one countdown, restarted twice
                collector.poke()
            assert collector.collections == 0  # nothing runs while the keys come
            await wait_for(pilot, lambda: collector.collections > 0)
            await pilot.pause(0.5)  # the stopped countdowns would have fired by now
        assert collector.collections == 1
        assert seen  # a real full collection, not just the counter


async def test_the_app_defers_full_collections_and_restores_the_thresholds(
    make_app: Callable[..., EhgApp],
) -> None:
    before = gc.get_threshold()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await loaded(pilot)
        assert gc.get_threshold() == (before[0], before[1], max(before[2], FULL_COLLECTION_EVERY))
    assert gc.get_threshold() == before


async def test_table_switches_start_the_idle_collection(make_app: Callable[..., EhgApp]) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await loaded(pilot)
        screen.idle_collector = collector = IdleCollector(screen, delay=0.2)
        with full_collections() as seen:
            assert screen.show_table("public.sd_phase_handoffs")
            assert screen.show_table("public.strategic_directives_v2")
            await wait_for(pilot, lambda: collector.collections > 0)
            await pilot.pause(0.5)
        assert collector.collections == 1
        assert seen


class _Node:
    """An object that can sit in a reference cycle and be watched with a weak reference."""

    def __init__(self) -> None:
        self.me: _Node | None = self


def test_the_first_freeze_keeps_the_start_s_garbage_until_the_next_load() -> None:
    try:
        cycle = _Node()
        watch = weakref.ref(cycle)
        del cycle  # garbage only the collector can free
        freeze_long_lived_objects(collect=False)  # the first load: no collection
        gc.collect()
        assert watch() is not None  # frozen with the start's objects: collections skip it
        freeze_long_lived_objects()  # the next load unfreezes and collects first
        assert watch() is None
    finally:
        gc.unfreeze()
