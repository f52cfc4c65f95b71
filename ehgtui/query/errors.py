"""Why a pad query did not give a result: each `str()` is one line fit to show as it is.

`position` (1-based, in the text that was typed) is where the server or the parser says the
error is, for the editor to mark; None when it names no place.
"""

from __future__ import annotations

import asyncpg

from ehgtui.rows.errors import QueryError, QueryTimeoutError, first_line


class QueryRefusedError(QueryError):
    """The statement was not run: it is not one read, or it calls VOLATILE functions.

    `volatile` names those functions (`nextval()`): empty when the statement was refused for
    what it is. A caller may ask the user and retry with `QueryRequest.allow_volatile`.
    """

    def __init__(
        self, message: str, position: int | None = None, volatile: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.position = position
        self.volatile = volatile


class QueryFailedError(QueryError):
    """The server refused or failed the statement; its own words, and where when it says."""

    def __init__(self, message: str, position: int | None = None, sqlstate: str = "") -> None:
        super().__init__(message)
        self.position = position
        self.sqlstate = sqlstate


def server_error(
    exc: asyncpg.PostgresError, timeout_seconds: float, typed: bool = True
) -> QueryError:
    """A server error as a typed, one-line error; `typed` says the statement the server saw
    was the text as typed, so that the position it reports is a place in that text."""
    if isinstance(exc, asyncpg.QueryCanceledError):
        return QueryTimeoutError(
            f"query cancelled: it ran longer than the {timeout_seconds:g}s statement timeout"
        )
    raw = getattr(exc, "position", None)
    position = int(raw) if typed and raw and str(raw).isdigit() else None
    return QueryFailedError(first_line(exc), position, getattr(exc, "sqlstate", "") or "")
