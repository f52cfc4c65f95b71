"""A demo database per server and module, with a pool and its catalog (public and auth)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
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


@pytest.fixture(scope="module")
async def catalog(pool: asyncpg.Pool) -> Catalog:
    return await load_catalog(pool, ("public", "auth"))
