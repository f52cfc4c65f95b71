"""The pad's core on real servers: results, masking, view as, timeout, cancel, the row cap."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from ehgtui.query.errors import QueryFailedError, QueryRefusedError
from ehgtui.query.run import QueryRequest, QueryResult, run_query
from ehgtui.query.settings import QuerySettings, QuerySettingsError, query_settings_from_config
from ehgtui.rows.errors import QueryTimeoutError, RowsDisabledError
from ehgtui.rows.masking import MASK
from ehgtui.rows.roles import ViewAs
from tests.pg import TestServer

SETTINGS = QuerySettings()
TABLE = "strategic_directives_v2"


async def test_a_result_is_what_psql_prints(
    pg: TestServer, demo_db: str, pool: asyncpg.Pool
) -> None:
    sql = f"select id, title, priority from {TABLE} order by id"
    result = await run_query(pool, QueryRequest(sql), SETTINGS)
    expected = pg.psql(demo_db, sql.replace("select", "copy (select", 1) + ") to stdout with csv")
    got = "\n".join(",".join(v or "" for v in row) for row in result.rows)
    assert len(result.rows) >= 10
    assert got.replace('"', "") == expected.strip().replace('"', "")
    assert result.column_names == ("id", "title", "priority")
    assert [c.data_type for c in result.columns][0] == "uuid"
    assert result.viewer.role == "postgres" and not result.viewer.switched
    assert result.elapsed > 0 and not result.truncated


async def test_repeated_and_odd_column_names_come_back_in_order(pool: asyncpg.Pool) -> None:
    result = await run_query(
        pool, QueryRequest('select 1 as a, 2 as a, null as "we ird"'), SETTINGS
    )
    assert result.column_names == ("a", "a", "we ird")
    assert result.rows == [("1", "2", None)]


async def test_secret_columns_are_masked_by_name_and_through_aliases(
    pg: TestServer, demo_db: str, pool: asyncpg.Pool
) -> None:
    sql = (
        "select email, encrypted_password, encrypted_password as p, u.encrypted_password as q "
        "from auth.users u where encrypted_password is not null order by email limit 3"
    )
    result = await run_query(pool, QueryRequest(sql), SETTINGS)
    assert [c.masked for c in result.columns] == [False, True, True, True]
    assert result.rows and all(row[1:] == (MASK, MASK, MASK) for row in result.rows)
    shown = await run_query(pool, QueryRequest(sql, show_secrets=True), SETTINGS)
    real = pg.psql(
        demo_db,
        "select encrypted_password from auth.users where encrypted_password is not null"
        " order by email limit 3",
    )
    assert [row[1] for row in shown.rows] == real.split()
    assert MASK not in str(shown.rows)


async def test_view_as_anon_and_as_a_user(pool: asyncpg.Pool) -> None:
    anon = await run_query(
        pool, QueryRequest("select current_user", view_as=ViewAs("anon")), SETTINGS
    )
    assert anon.rows == [("anon",)] and anon.viewer.switched
    email = (
        await run_query(pool, QueryRequest("select min(email) from auth.users"), SETTINGS)
    ).rows[0][0]
    assert email
    seen = await run_query(
        pool,
        QueryRequest("select current_user, auth.uid()::text", view_as=ViewAs(user=email)),
        SETTINGS,
    )
    user_id = (
        await run_query(
            pool, QueryRequest(f"select id from auth.users where email = '{email}'"), SETTINGS
        )
    ).rows[0][0]
    assert seen.rows == [("authenticated", user_id)]
    after = await run_query(pool, QueryRequest("select current_user"), SETTINGS)
    assert after.rows == [("postgres",)]


async def test_the_statement_timeout_applies(pool: asyncpg.Pool) -> None:
    slow = QueryRequest("select count(*) from generate_series(1, 500000000)")
    with pytest.raises(QueryTimeoutError, match="0.2s statement timeout"):
        await run_query(pool, slow, SETTINGS.with_overrides(statement_timeout=0.2))


async def test_cancelling_stops_the_statement_on_the_server(pool: asyncpg.Pool) -> None:
    marker = "select count(*) as cancel_me from generate_series(1, 900000000)"
    task = asyncio.ensure_future(run_query(pool, QueryRequest(marker), SETTINGS))
    probe = (
        "select count(*) from pg_stat_activity where state = 'active'"
        " and query like '%cancel_me%' and pid <> pg_backend_pid()"
    )
    async with pool.acquire() as conn:
        for _ in range(200):
            if await conn.fetchval(probe):
                break
            await asyncio.sleep(0.02)
        else:
            pytest.fail("the statement never showed up as running")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(100):
            if not await conn.fetchval(probe):
                break
            await asyncio.sleep(0.02)
        assert await conn.fetchval(probe) == 0
    assert (await run_query(pool, QueryRequest("select 42"), SETTINGS)).rows == [("42",)]


async def test_rows_come_in_batches_up_to_the_cap(pool: asyncpg.Pool) -> None:
    seen: list[int] = []

    def on_rows(result: QueryResult) -> None:
        seen.append(len(result.rows))

    request = QueryRequest("select g from generate_series(1, 100000) g", max_rows=12000)
    result = await run_query(pool, request, SETTINGS, on_rows)
    assert len(result.rows) == 12000 and result.truncated
    assert result.rows[0] == ("1",) and result.rows[-1] == ("12000",)
    assert seen[0] == 200 and seen == sorted(seen)
    small = await run_query(pool, QueryRequest("select g from generate_series(1, 5) g"), SETTINGS)
    assert len(small.rows) == 5 and not small.truncated


async def test_a_server_error_marks_its_position_in_the_typed_text(pool: asyncpg.Pool) -> None:
    text = f"select id,\n  nosuch from {TABLE}"
    with pytest.raises(QueryFailedError) as failed:
        await run_query(pool, QueryRequest(text), SETTINGS)
    assert 'column "nosuch" does not exist' in str(failed.value)
    assert failed.value.position == text.index("nosuch") + 1
    assert failed.value.sqlstate == "42703"


async def test_explain_analyze_runs_inside_the_rolled_back_transaction(pool: asyncpg.Pool) -> None:
    result = await run_query(
        pool, QueryRequest(f"explain (analyze, buffers) select count(*) from {TABLE}"), SETTINGS
    )
    assert result.plan is not None
    assert result.plan[0].startswith("Aggregate") and "actual time" in result.plan[0]
    assert any(f"Seq Scan on {TABLE}" in line for line in result.plan)
    plain = await run_query(pool, QueryRequest(f"explain select * from {TABLE}"), SETTINGS)
    assert plain.plan and "actual" not in plain.plan[0]


async def test_volatile_calls_are_refused_unless_allowed(pool: asyncpg.Pool) -> None:
    with pytest.raises(QueryRefusedError) as refused:
        await run_query(pool, QueryRequest("select random() > 2"), SETTINGS)
    assert refused.value.volatile == ("random()",)
    allowed = await run_query(
        pool, QueryRequest("select random() > 2", allow_volatile=True), SETTINGS
    )
    assert allowed.rows == [("false",)]


async def test_switched_off_means_nothing_runs(pool: asyncpg.Pool) -> None:
    with pytest.raises(RowsDisabledError):
        await run_query(pool, QueryRequest("select 1"), SETTINGS.disabled())


def test_query_settings_from_config() -> None:
    settings = query_settings_from_config(
        {
            "rows": {"enabled": False},
            "query": {"statement_timeout": 2, "max_rows": 50, "snippets": {"n": "select 1"}},
        }
    )
    assert (settings.enabled, settings.statement_timeout, settings.max_rows) == (False, 2.0, 50)
    assert settings.session_settings.statement_timeout == 2.0
    assert settings.snippets == {"n": "select 1"}
    for bad in ({"max_rows": 0}, {"statement_timeout": "x"}, {"snippets": {"n": 1}}):
        with pytest.raises(QuerySettingsError, match=r"\[query"):
            query_settings_from_config({"query": bad})
