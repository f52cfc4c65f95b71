"""The text of a one-trip query (`one_trip.py`): `BEGIN READ ONLY; DO … RAISE INFO …; ROLLBACK`,
and the mark its answer carries. Apart from the asyncpg client that sends it, so that the
plain-socket client (`plain_client.py`) sends the very same text without importing asyncpg."""

from __future__ import annotations

TAG = "$ehgtui_one_trip$"
MARK = "ehgtui-one-trip:"
"""What the INFO message carrying the answer begins with."""


def one_trip_sql(query: str) -> str | None:
    """The one-message text for a query returning one value; None when the query's text could
    end the dollar-quoted block early."""
    if TAG in query or "\x00" in query:
        return None
    body = query.replace("\n", " ")  # one line in the server log: the query has no comments
    return f"BEGIN READ ONLY; DO {TAG} BEGIN RAISE INFO '{MARK}%', ({body}); END {TAG}; ROLLBACK"
