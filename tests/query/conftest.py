"""A demo database per server and module for the query pad's tests, with a pool."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from tests.pg import TestServer


@pytest.fixture(scope="module")
def demo_db(pg: TestServer) -> str:
    return pg.demo_database()


@pytest.fixture(scope="module")
async def pool(pg: TestServer, demo_db: str) -> AsyncIterator[asyncpg.Pool]:
    opened = await create_pool(ConnectionTarget(pg.dsn(demo_db), "test"))
    yield opened
    await opened.close()
