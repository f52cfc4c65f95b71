"""The relations fixture database, loaded once per module as a catalog."""

from __future__ import annotations

import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from tests.pg import TestServer
from tests.relations.fixture import RELATIONS_SQL


async def load(pg: TestServer, database: str) -> Catalog:
    """Load the public schema of `database` the way the app does."""
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        return await load_catalog(pool, ("public",))
    finally:
        await pool.close()


@pytest.fixture(scope="module")
def relations_db(pg18: TestServer) -> str:
    """A fresh database holding the hand-written relations schema."""
    return pg18.create_database("relations", RELATIONS_SQL)


@pytest.fixture(scope="module")
async def catalog(pg18: TestServer, relations_db: str) -> Catalog:
    return await load(pg18, relations_db)
