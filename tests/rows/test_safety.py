"""Nothing on the row path can write, end its transaction or outrun its timeout.

The login role here is NOT a superuser and holds write privileges on the canary table, so
only the read-only transaction and the single-statement protocol stand in the way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import pytest

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Table
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.rows.errors import ConditionRefusedError, QueryError, QueryTimeoutError, RoleError
from ehgtui.rows.query import RowRequest, fetch_page
from ehgtui.rows.roles import ViewAs
from ehgtui.rows.settings import RowSettings
from tests.pg import TestServer

SETTINGS = RowSettings()


@pytest.fixture(scope="module")
def writer(pg: TestServer, demo_db: str) -> str:
    """A non-superuser login role allowed to write the canary table (and call the writer)."""
    role = f"rows_writer_{demo_db}"
    pg.psql(
        demo_db,
        f"""
        CREATE ROLE {role} LOGIN NOSUPERUSER NOBYPASSRLS;
        CREATE TABLE public.rows_canary (id serial PRIMARY KEY, note text NOT NULL);
        INSERT INTO public.rows_canary (note) VALUES ('one'), ('two'), ('three');
        CREATE FUNCTION public.rows_sneaky_insert() RETURNS boolean LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO public.rows_canary (note) VALUES ('written by a where condition');
            RETURN true;
        END $$;
        GRANT USAGE ON SCHEMA public TO {role};
        GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.rows_canary TO {role};
        GRANT USAGE ON SEQUENCE public.rows_canary_id_seq TO {role};
        GRANT EXECUTE ON FUNCTION public.rows_sneaky_insert() TO {role};
        """,
    )
    return role


@pytest.fixture(scope="module")
async def writer_pool(pg: TestServer, demo_db: str, writer: str) -> AsyncIterator[asyncpg.Pool]:
    opened = await create_pool(ConnectionTarget(pg.dsn(demo_db, user=writer), "test"))
    yield opened
    await opened.close()


@pytest.fixture(scope="module")
async def canary(writer_pool: asyncpg.Pool) -> Table:
    table = (await load_catalog(writer_pool, ("public",))).table("rows_canary")
    assert table is not None
    return table


def notes(pg: TestServer, demo_db: str) -> list[str]:
    return pg.psql(demo_db, "SELECT note FROM public.rows_canary ORDER BY id").split()


async def test_the_login_role_could_write_outside_the_row_path(
    writer_pool: asyncpg.Pool,
) -> None:
    async with writer_pool.acquire() as conn, conn.transaction():
        assert not await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        await conn.execute("DELETE FROM public.rows_canary WHERE note = 'nothing'")


async def test_a_condition_calling_a_writing_function_fails_read_only(
    pg: TestServer, demo_db: str, writer_pool: asyncpg.Pool, canary: Table
) -> None:
    request = RowRequest(where="public.rows_sneaky_insert()")
    with pytest.raises(ConditionRefusedError) as refused:
        await fetch_page(writer_pool, canary, request, SETTINGS)
    assert refused.value.volatile == ("public.rows_sneaky_insert()",)
    # allowed, it runs, and the read-only transaction stops the write
    with pytest.raises(QueryError) as failure:
        await fetch_page(writer_pool, canary, replace(request, allow_volatile=True), SETTINGS)
    assert str(failure.value) == "cannot execute INSERT in a read-only transaction"
    assert notes(pg, demo_db) == ["one", "two", "three"]


@pytest.mark.parametrize(
    "where",
    [
        "true; DELETE FROM public.rows_canary",
        "true); DELETE FROM public.rows_canary; SELECT (1",
        "true; COMMIT; DELETE FROM public.rows_canary",
        "true\n) --\n; DELETE FROM public.rows_canary; --",
    ],
)
async def test_a_second_statement_is_rejected_without_effect(
    pg: TestServer, demo_db: str, writer_pool: asyncpg.Pool, canary: Table, where: str
) -> None:
    with pytest.raises(QueryError) as failure:
        await fetch_page(writer_pool, canary, RowRequest(where=where), SETTINGS)
    assert "\n" not in str(failure.value)
    assert notes(pg, demo_db) == ["one", "two", "three"]


async def test_read_only_cannot_be_switched_off_from_a_condition(
    writer_pool: asyncpg.Pool, canary: Table
) -> None:
    where = "set_config('transaction_read_only', 'off', true) = 'off'"
    allowed = RowRequest(where=where, allow_volatile=True)
    with pytest.raises(QueryError, match="read-write mode"):
        await fetch_page(writer_pool, canary, allowed, SETTINGS)
    page = await fetch_page(
        writer_pool,
        canary,
        RowRequest(where="current_setting('transaction_read_only') = 'on'"),
        SETTINGS,
    )
    assert [r[1] for r in page.rows] == ["one", "two", "three"]


async def test_a_slow_statement_is_cancelled_with_one_line(
    writer_pool: asyncpg.Pool, canary: Table
) -> None:
    slow = RowRequest(where="pg_sleep(30) IS NOT NULL", allow_volatile=True)
    with pytest.raises(QueryTimeoutError) as failure:
        await fetch_page(writer_pool, canary, slow, RowSettings(statement_timeout=0.2))
    assert str(failure.value) == ("query cancelled: it ran longer than the 0.2s statement timeout")
    page = await fetch_page(writer_pool, canary, RowRequest(), SETTINGS)
    assert len(page.rows) == 3  # the pool's connections are fine afterwards


async def test_a_role_the_login_role_cannot_assume_is_a_typed_error(
    writer_pool: asyncpg.Pool, canary: Table
) -> None:
    with pytest.raises(RoleError) as failure:
        await fetch_page(writer_pool, canary, RowRequest(view_as=ViewAs("anon")), SETTINGS)
    assert str(failure.value).startswith("cannot view as anon: permission denied to set role")
    assert "\n" not in str(failure.value)
