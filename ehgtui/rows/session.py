"""The one way in to table data: a read-only transaction, a statement timeout, a point of view.

Every statement runs inside `BEGIN READ ONLY` ... `ROLLBACK` on a pooled connection, so
nothing on the row path can write to a table or leave a setting behind, and the session is
cleared of what it left (advisory locks, prepared statements, dblink connections…) before the
connection goes back (`read_only_clearing_session`, `ehgtui.db.session_state`).
What a read-only transaction cannot stop (functions acting outside it) is the guard's part:
see `ehgtui.usersql`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from ehgtui.db.failures import connection_failure
from ehgtui.db.pool import AnyConnection
from ehgtui.db.read_only_session import read_only, read_only_clearing_session
from ehgtui.rows import roles
from ehgtui.rows.errors import RoleError, RowsDisabledError, query_error
from ehgtui.rows.roles import AuthUser, ViewAs, Viewer
from ehgtui.rows.settings import RowSettings


@dataclass(frozen=True)
class RowSession:
    """An open read-only transaction seen through `viewer`, with its settings."""

    conn: AnyConnection
    viewer: Viewer
    settings: RowSettings


def require_enabled(settings: RowSettings) -> None:
    """Raise RowsDisabledError when row access is switched off."""
    if not settings.enabled:
        raise RowsDisabledError(
            "row access is switched off (--no-rows or [rows] enabled = false in the config)"
        )


async def set_statement_timeout(conn: AnyConnection, settings: RowSettings) -> None:
    """The row path's statement timeout, for the current transaction only."""
    await conn.fetchval(
        "SELECT set_config('statement_timeout', $1, true)",
        f"{round(settings.statement_timeout * 1000)}ms",
    )


@asynccontextmanager
async def row_session(
    pool: asyncpg.Pool, view_as: ViewAs, settings: RowSettings
) -> AsyncIterator[RowSession]:
    """Open a read-only transaction with the statement timeout set and the view switched."""
    require_enabled(settings)
    async with read_only_clearing_session(pool) as conn:
        try:
            await set_statement_timeout(conn, settings)
            viewer = await roles.enter_view(conn, view_as)
        except RoleError:
            raise
        except asyncpg.PostgresError as exc:
            if connection_failure(exc) is not None:
                raise  # `read_only` reports it as the connection lost
            raise RoleError(str(query_error(exc, settings.statement_timeout))) from None
        yield RowSession(conn=conn, viewer=viewer, settings=settings)


async def list_users(pool: asyncpg.Pool, limit: int = 200) -> list[AuthUser]:
    """Users of `auth.users` a "view as" picker can offer (read-only)."""
    async with read_only(pool) as conn:
        return await roles.list_users(conn, limit)


async def assumable_roles(pool: asyncpg.Pool) -> list[str]:
    """Roles the login role may view rows as (read-only)."""
    async with read_only(pool) as conn:
        return await roles.assumable_roles(conn)
