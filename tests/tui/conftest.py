"""Fixtures for the TUI tests: a fresh demo database per module, and app helpers.

The apps run against the real demo schema on the session's PostgreSQL 18. Waiting is done on
workers and on the message queue (Pilot.pause), never with sleeps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from textual.pilot import Pilot

from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import EhgApp, build_app
from ehgtui.tui.screens.main import ExplorerScreen
from tests.pg import TestServer

STABLE_LABEL = "postgresql://postgres@demo-host:5432/ehg_engineer"
"""What the header shows in snapshot tests instead of the real DSN (its port varies)."""

MAX_SETTLE_ROUNDS = 200
"""Upper bound on wait-for-workers rounds: a safety net, not a timing assumption."""


@dataclass(frozen=True)
class StableLabelTarget(ConnectionTarget):
    """A real target whose `masked` form is a fixed string, so snapshots do not see the port."""

    @property
    def masked(self) -> str:
        return STABLE_LABEL


@pytest.fixture(scope="module")
def demo_db(pg18: TestServer) -> str:
    """A fresh copy of the demo schema for this test module."""
    return pg18.demo_database()


@pytest.fixture(scope="module")
def demo_dsn(pg18: TestServer, demo_db: str) -> str:
    """The DSN of this module's demo database."""
    return pg18.dsn(demo_db)


@pytest.fixture
def make_app(demo_dsn: str) -> Callable[..., EhgApp]:
    """Build the app the CLI builds, pointed at the demo database."""

    def make(*, stable: bool = False, dsn: str | None = None, use_cache: bool = False) -> EhgApp:
        # no catalog cache unless a test asks: a second app on the module's database would
        # otherwise start from the first one's cache and behave differently
        url = dsn or demo_dsn
        target = StableLabelTarget(url, "test") if stable else ConnectionTarget(url, "test")
        return build_app(lambda: target, ("public",), Config(), stable=stable, use_cache=use_cache)

    return make


def explorer(app: EhgApp) -> ExplorerScreen:
    """The app's explorer screen (at the bottom of the stack, whatever is on top)."""
    for candidate in app.screen_stack:
        if isinstance(candidate, ExplorerScreen):
            return candidate
    raise AssertionError(f"no explorer screen in {app.screen_stack}")


async def settle(pilot: Pilot[None], until: Callable[[], bool] | None = None) -> None:
    """Wait until every worker has finished and every resulting message was handled.

    Args:
        pilot: The running app's pilot.
        until: Keep waiting (on workers and messages, not time) until this returns True.
    """
    app = pilot.app
    for _ in range(MAX_SETTLE_ROUNDS):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.is_running for w in app.workers) and (until is None or until()):
            await pilot.wait_for_scheduled_animations()  # e.g. the tab underline sliding
            await pilot.pause()
            return
    raise AssertionError("the app did not settle")


async def loaded(pilot: Pilot[None]) -> ExplorerScreen:
    """Wait for the first catalog load (or failure); return the explorer screen."""
    screen = explorer(pilot.app)  # type: ignore[arg-type]
    await settle(pilot, lambda: screen.catalog is not None or _failed(screen))
    return screen


def _failed(screen: ExplorerScreen) -> bool:
    from ehgtui.tui.widgets.status_panel import StatusPanel

    return screen.query_one(StatusPanel).failed
