"""The test servers' statement log (`log_statement=all`) over one stretch of a test.

`ehgtui_statements` (conftest) keeps ehgtui's own sessions; the writes checked here are those of
every session in the database but psql's (the tests' own setup and inspection), so that a
write made elsewhere on ehgtui's behalf (a dblink session, a pooler) would show as well.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.pg import TestServer
from tests.reliability.conftest import ehgtui_statements
from tests.reliability.test_read_only import _violations

_STATEMENT = re.compile(
    r"^\S+ \S+ \S+ \[(\d+)\] (\S+) (.*?): LOG:  (?:statement|execute [^:]*): ?(.*)$", re.M
)

WRITE = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|MERGE|TRUNCATE|CREATE|ALTER|DROP|GRANT|REVOKE|COPY|COMMIT|END"
    r"|PREPARE|DEALLOCATE|LISTEN|DECLARE|SET\s+SESSION|VACUUM|CLUSTER|REINDEX|REFRESH"
    r"|SECURITY|COMMENT|LOCK|CALL|DISCARD|RESET|CHECKPOINT|IMPORT|LOAD)\b",
    re.I,
)
"""The first word(s) of a statement that writes, or changes the session beyond its
transaction. (A DO block or a SELECT of a function is judged by what the server did, which the
tests check on the data and the sessions.)"""

_POOLER_SYNC = re.compile(
    r"^SET (client_encoding|application_name|datestyle|timezone|standard_conforming_strings)="
    r"'[^;]*';$",
    re.I,
)
"""What PgBouncer itself sends on a server connection before a client's transaction: the
client's startup parameters, replayed."""


class StatementLog:
    """The part of a server's log written since this object was made."""

    def __init__(self, pg: TestServer) -> None:
        self._file: Path = pg.server.data_dir / "server.log"
        self._start = self._file.stat().st_size

    def text(self) -> str:
        with self._file.open("rb") as handle:
            handle.seek(self._start)
            return handle.read().decode(errors="replace")

    def statements(self, database: str) -> list[tuple[int, str, str]]:
        """(pid, application, statement) of every session's statements in database."""
        return [
            (int(pid), application, text)
            for pid, db, application, text in _STATEMENT.findall(self.text())
            if db == database
        ]

    def writes(self, database: str) -> list[str]:
        """Statements that write, of every session in database but psql's."""
        return [
            f"[{pid} {application}] {text}"
            for pid, application, text in self.statements(database)
            if application != "psql" and WRITE.match(text)
        ]

    def outside_read_only(self, database: str) -> list[str]:
        """ehgtui's statements that ran outside `BEGIN … READ ONLY` … `ROLLBACK` (the
        pooler's own replay of startup parameters aside)."""
        statements = [
            (pid, text)
            for pid, text in ehgtui_statements(self.text(), database)
            if not _POOLER_SYNC.match(text.strip())
        ]
        return _violations(statements)

    def assert_read_only(self, database: str) -> None:
        """No session wrote, and every statement of ehgtui's ran read-only and rolled back."""
        writes = self.writes(database)
        assert not writes, writes
        outside = self.outside_read_only(database)
        assert not outside, outside
