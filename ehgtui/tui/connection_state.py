"""The explorer's view of its connection: noticing a loss, and the words for it.

A server can kill our backends (`pg_terminate_backend`, a restart, a dropped network) while the
explorer shows a catalog loaded long ago. The catalog is plain data and stays browsable; what
must change is the header ("disconnected"), and every tab that queries must say so in one line
instead of raising. This module holds the pieces the explorer screen and those tabs share:

- `PoolWatch`, handed to `create_pool(on_connection_lost=...)`, turns the pool's callback into
  one `ConnectionLost` message naming the pool, so the screen can ignore pools it closed itself;
- `is_connection_loss`, for workers deciding whether a failed query means "disconnected";
- `DISCONNECTED_HINT` and `reason_without_target`, the words shown.

Tabs that query (Rows, Access) can watch the screen's `disconnected` reactive
(`self.watch(self.screen, "disconnected", ...)`) and show `DISCONNECTED_HINT`; the screen also
takes their pool away (`set_pool(None)`) while disconnected, so nothing queries a dead pool.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
from textual.message import Message

from ehgtui.catalog.loader import CatalogError
from ehgtui.db.failures import ConnectError, ConnectionLostError, connection_failure
from ehgtui.db.settings import ConnectionTarget, DsnError
from ehgtui.demo.server import ServerError
from ehgtui.tui.messages import ConnectionLost

DISCONNECTED_HINT = "disconnected: press r to reconnect"
"""The one line a querying tab shows instead of an error while the connection is lost."""


def is_connection_loss(exc: BaseException) -> bool:
    """Whether a failed query failed because the connection is gone.

    The same reading as the CLI's (`failures.connection_failure`): a timeout or a refused
    slot is an error to show, not a lost connection.

    Args:
        exc: What the query raised.

    Returns:
        True when the right response is "disconnected: press r", not the error itself.
    """
    if isinstance(exc, ConnectError):
        return True
    return isinstance(connection_failure(exc), ConnectionLostError)


def reason_without_target(reason: str, target: ConnectionTarget | None) -> str:
    """A failure reason without its trailing `(masked DSN)`, for the header.

    The header already shows the masked DSN; repeating it would push the reason off a narrow
    terminal.

    Args:
        reason: One line from `describe_connect_error` (or any one-line reason).
        target: The target the reason may end with.

    Returns:
        The reason, shorter when it ended with the target.
    """
    if target is not None:
        suffix = f" ({target.masked})"
        if reason.endswith(suffix):
            return reason[: -len(suffix)]
    return reason


class PoolWatch:
    """The `on_connection_lost` callback of one pool: posts `ConnectionLost` once, with the pool.

    `create_pool` needs the callback before the pool exists, so the worker sets `pool` when
    `create_pool` returns; a loss reported before that (while connecting) is the connect
    failure's business and is not posted.
    """

    def __init__(self, post: Callable[[Message], bool]) -> None:
        """Args:
        post: Where to post the message (the explorer screen's `post_message`).
        """
        self._post = post
        self.pool: asyncpg.Pool | None = None
        """The pool watched; None until `create_pool` returned it."""
        self.reported = False
        """Whether the loss was already posted (every connection of the pool calls back)."""

    def __call__(self) -> None:
        if self.pool is None or self.reported:
            return
        self.reported = True
        self._post(ConnectionLost(self.pool))


def no_pool_words(screen: object) -> str:
    """What a querying tab says while it has no pool: disconnected, or still connecting."""
    return (
        DISCONNECTED_HINT
        if getattr(screen, "disconnected", False)
        else "waiting for the connection…"
    )


EXPECTED_FAILURES: tuple[type[BaseException], ...] = (
    ConnectError,
    CatalogError,
    DsnError,
    ServerError,
)
"""Errors whose message is already one line written for the user."""


def one_line_reason(exc: BaseException) -> str:
    """One line about a failure: the message of our typed errors as is, else `Type: first line`.

    Unexpected errors keep their type name, because `'privileges'` alone (a KeyError) says
    nothing; no traceback is ever shown.
    """
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if isinstance(exc, EXPECTED_FAILURES) and first:
        return first
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
