"""Round trip per kind of change: `diff A B --sql` applied to A makes A's schema B's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ehgtui.catalog.model import Catalog
from tests.migrate.cases import CHANGES
from tests.migrate.roundtrip import Change, ClonePool, clone, drop, load, round_trip
from tests.pg import TestServer


@pytest.fixture(scope="module")
async def before(pg: TestServer) -> Catalog:
    """Side A's catalog: every copy is a clone of one template, OIDs included."""
    database = clone(pg)
    try:
        return await load(pg, database)
    finally:
        drop(pg, database)


@pytest.fixture(scope="module")
def pool(pg: TestServer) -> Iterator[ClonePool]:
    clones = ClonePool(pg)
    yield clones
    clones.close()


@pytest.mark.parametrize("change", CHANGES, ids=[c.id for c in CHANGES])
async def test_round_trip(pool: ClonePool, before: Catalog, change: Change) -> None:
    if pool.pg.major < change.min_major:
        pytest.skip(f"needs PostgreSQL {change.min_major}")
    result = await round_trip(pool, before, change.sql, change.options)
    assert not result.migration.is_empty, "the change made no statement"
    assert result.residual.is_empty, (result.sql, result.residual.tables)
    assert result.dump_a == result.dump_b, result.sql
