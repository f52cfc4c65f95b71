"""Why SQL text the user typed was not run: each `str()` is one line fit to show as it is."""

from __future__ import annotations

from dataclasses import dataclass


class UserSqlError(ValueError):
    """The text was refused before anything ran."""


class UserSqlSyntaxError(UserSqlError):
    """The text does not parse, or is not the one expression or statement it has to be.

    `position` is the 1-based character of the text the parser stopped at, when it says
    (an editor can put the cursor there); None otherwise.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class StatementRefusedError(UserSqlError):
    """The text parses, but is not a read ehgtui runs (it writes, changes the session, or
    holds several statements)."""


@dataclass(frozen=True)
class VolatileCall:
    """A function the text calls, directly or through an operator or a cast, that is VOLATILE.

    `what` is how the text names it (`dblink_exec()`, `operator ===`, `cast to my_type`);
    `function` is the server's signature of the VOLATILE function behind it.
    """

    what: str
    function: str

    @property
    def words(self) -> str:
        """`dblink_exec()`, or `operator === (public.vol_eq(integer,integer))`."""
        if self.what.endswith("()"):
            return self.what
        return f"{self.what} ({self.function})"


class VolatileCallsError(UserSqlError):
    """The text calls VOLATILE functions, and the user has not allowed them for this query."""

    def __init__(self, calls: tuple[VolatileCall, ...]) -> None:
        self.calls = calls
        names = ", ".join(call.words for call in calls)
        verb = "is" if len(calls) == 1 else "are"
        super().__init__(
            f"refused: {names} {verb} VOLATILE and may act outside the read-only transaction"
        )
