"""Run in its own process: app start with the catalog cache, counting the statements sent.

Usage: python -m bench.cache_probe DSN; prints one JSON object. Run it twice with the same
XDG_CACHE_HOME: the first run loads and saves the catalog, the second starts from the cache.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import asyncpg

from ehgtui.config import Config
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.app import build_app
from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.widgets.connection_bar import ConnectionBar
from ehgtui.tui.widgets.tree.domain_tree import DomainTree

statements = 0
"""Queries the app sent (fetch/fetchval/fetchrow), BEGIN and ROLLBACK not counted."""


def _count(method: Any) -> Any:
    async def counted(self: asyncpg.Connection, *args: Any, **kwargs: Any) -> Any:
        global statements
        statements += 1
        return await method(self, *args, **kwargs)

    return counted


for _name in ("fetch", "fetchval", "fetchrow"):
    setattr(asyncpg.Connection, _name, _count(getattr(asyncpg.Connection, _name)))


async def probe(dsn: str) -> dict[str, float]:
    started = time.perf_counter()
    app = build_app(lambda: ConnectionTarget(dsn, "bench"), ("public",), Config(), stable=True)
    result: dict[str, float] = {}
    async with app.run_test(size=(120, 36)):
        while True:
            screen = app.screen
            if isinstance(screen, ExplorerScreen) and screen.query_one(DomainTree).root.children:
                break
            await asyncio.sleep(0.002)
        result["first_tree_s"] = time.perf_counter() - started
        result["statements_before_tree"] = statements
        await app.workers.wait_for_complete()
        result["settled_s"] = time.perf_counter() - started
        result["statements"] = statements
        result["from_cache"] = float(screen.query_one(ConnectionBar).status.startswith("cached"))
    return result


def main() -> None:
    print(json.dumps(asyncio.run(probe(sys.argv[1]))))


if __name__ == "__main__":
    main()
