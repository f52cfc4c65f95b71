"""Run in its own process: app start with the catalog cache, counting the statements sent.

Usage: python -m bench.cache_probe DSN; prints one JSON object: `first_tree_s`, the first frame
painted with a filled tree (see first_paint.py), and `tree_seen_s`, when the Pilot first sees
that tree. Run it twice with the same XDG_CACHE_HOME: the first run loads and saves the
catalog, the second starts from the cache.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import asyncpg

from bench.first_paint import watch_tree_paint
from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import build_app
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.widgets.connection_bar import ConnectionBar
from ehgtui.tui.widgets.tree.domain_tree import DomainTree

statements = 0
"""Queries the app sent (fetch/fetchval/fetchrow, and the one-trip `execute`), BEGIN and
ROLLBACK not counted."""


def _count(method: Any) -> Any:
    async def counted(self: asyncpg.Connection, *args: Any, **kwargs: Any) -> Any:
        global statements
        statements += 1
        return await method(self, *args, **kwargs)

    return counted


for _name in ("fetch", "fetchval", "fetchrow"):
    setattr(asyncpg.Connection, _name, _count(getattr(asyncpg.Connection, _name)))

_execute = asyncpg.Connection.execute


async def _execute_counted(self: asyncpg.Connection, query: str, *args: Any, **kwargs: Any) -> Any:
    """The one-trip fingerprint is one `execute` (BEGIN; SELECT; ROLLBACK in one message):
    counted as the statement it carries; a bare BEGIN or ROLLBACK is not."""
    global statements
    if query.strip().upper() not in ("BEGIN", "ROLLBACK", "COMMIT"):
        statements += 1
    return await _execute(self, query, *args, **kwargs)


asyncpg.Connection.execute = _execute_counted  # type: ignore[method-assign,assignment]


async def probe(dsn: str) -> dict[str, float]:
    started = time.perf_counter()
    result: dict[str, float] = {}

    def note_statements() -> None:
        result["statements_before_tree"] = statements

    painted = watch_tree_paint(started, note_statements)
    app = build_app(lambda: ConnectionTarget(dsn, "bench"), ("public",), Config(), stable=True)
    async with app.run_test(size=(120, 36)) as pilot:
        while True:
            screen = app.screen
            if isinstance(screen, ExplorerScreen) and screen.query_one(DomainTree).root.children:
                break
            await asyncio.sleep(0.002)
        result["tree_seen_s"] = time.perf_counter() - started
        await app.workers.wait_for_complete()
        result["settled_s"] = time.perf_counter() - started
        await pilot.pause()  # a frame painted by now, if none had been
        first_paint = painted()
        if first_paint is None:
            raise RuntimeError("no frame with the tree in it was painted")
        result["first_tree_s"] = first_paint
        result["statements"] = statements
        result["from_cache"] = float(screen.query_one(ConnectionBar).status.startswith("cached"))
    return result


def main() -> None:
    print(json.dumps(asyncio.run(probe(sys.argv[1]))))


if __name__ == "__main__":
    main()
