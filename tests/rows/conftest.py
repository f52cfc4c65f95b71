"""A demo database per server and module, with a pool and its catalog (public and auth)."""

from __future__ import annotations

import asyncpg
import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
from tests.demo_pool import demo_db, pool  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
async def catalog(pool: asyncpg.Pool) -> Catalog:  # noqa: F811 (the fixture)
    return await load_catalog(pool, ("public", "auth"))
