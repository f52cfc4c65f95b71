"""Write SVG screenshots of the explorer on the demo database to `screenshots/`.

Starts (or reuses) the embedded demo server, drives the app headless with `run_test`, and
saves one SVG per view. The header shows a fixed DSN label and sizes are hidden, so re-running
the script only changes the files when the UI changes.

    python scripts/export_screenshots.py [--out screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.demo.lifecycle import default_demo
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.screens.main import ExplorerScreen

LABEL = "postgresql://postgres@localhost:5432/ehg_engineer"
"""Shown in the header instead of the demo's real DSN (its port changes between runs)."""

MAX_ROUNDS = 200
"""Safety net on waiting rounds (each waits for workers and messages, not for time)."""


@dataclass(frozen=True)
class FixedLabelTarget(ConnectionTarget):
    """The demo's real DSN, displayed as LABEL."""

    @property
    def masked(self) -> str:
        return LABEL


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the catalog is loaded and no worker runs, then for animations."""
    app = pilot.app
    screen = next(s for s in app.screen_stack if isinstance(s, ExplorerScreen))
    for _ in range(MAX_ROUNDS):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if screen.catalog is not None and not any(w.is_running for w in app.workers):
            break
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


Step = Callable[[Pilot[None]], Awaitable[None]]


def keys(*pressed: str) -> Step:
    """A step pressing keys, then settling."""

    async def step(pilot: Pilot[None]) -> None:
        await pilot.press(*pressed)
        await settle(pilot)

    return step


SHOTS: list[tuple[str, tuple[int, int], Step | None]] = [
    ("main-view", (120, 36), None),
    ("policies-tab", (120, 36), keys("4")),
    ("filter", (120, 36), keys("slash", *"handoff")),
    ("palette", (120, 36), keys("ctrl+p", *"sd_id")),
    ("main-view-80x24", (80, 24), None),
    ("relations", (120, 36), keys("7", "tab", "tab", "down")),
]
"""File stem, terminal size, and what to do after the first load."""


async def export(dsn: str, out: Path) -> list[Path]:
    """Take every screenshot in SHOTS; return the files written."""
    written = []
    for stem, size, step in SHOTS:
        app: EhgApp = build_app(
            lambda: FixedLabelTarget(dsn, "demo"), ("public",), Config(), stable=True
        )
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            if step is not None:
                await step(pilot)
            written.append(Path(app.save_screenshot(f"{stem}.svg", str(out))))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent.parent / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    demo = default_demo()
    dsn = demo.start(progress=print)
    try:
        for path in asyncio.run(export(dsn, args.out)):
            print(path)
    finally:
        demo.release()


if __name__ == "__main__":
    main()
