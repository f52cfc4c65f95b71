"""Typed failures of the row path: each carries one line fit to show the user as it is."""

from __future__ import annotations

import asyncpg


class RowsError(RuntimeError):
    """A row request failed; `str()` is one line, the server's own words where there are any."""


class RowsDisabledError(RowsError):
    """Row access is switched off (`--no-rows` or `[rows] enabled = false`)."""


class RoleError(RowsError):
    """The login role cannot look through the requested role or user."""


class QueryError(RowsError):
    """The server refused or failed the row query (bad condition, no privilege, read-only)."""


class ConditionRefusedError(QueryError):
    """The condition was not run: it is not one expression, or it calls VOLATILE functions.

    `volatile` names those functions (`dblink_exec()`, `operator ===`): empty when the
    condition was refused for its syntax. A caller may ask the user and retry with
    `RowRequest.allow_volatile`.
    """

    def __init__(self, message: str, volatile: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.volatile = volatile


class QueryTimeoutError(QueryError):
    """The statement outran `statement_timeout` and the server cancelled it."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (server errors can span several)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def query_error(exc: asyncpg.PostgresError, timeout_seconds: float) -> QueryError:
    """Translate a server error raised by a row query into a typed, one-line error."""
    if isinstance(exc, asyncpg.QueryCanceledError):
        return QueryTimeoutError(
            f"query cancelled: it ran longer than the {timeout_seconds:g}s statement timeout"
        )
    return QueryError(first_line(exc))
