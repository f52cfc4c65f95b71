"""The query pad's history: the statements run on one server, newest last, in a private file.

One JSON file per server under the user data directory, named by a hash of the server's
identity (`user@host:port/database`, which holds no secret), written whole through
`files.write_atomically` with mode 0600. The connection's password never goes in: the
identity has none, and a statement that happens to contain it (a pasted DSN) is stored with
it masked (`db.settings.scrub`).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ehgtui.db.settings import scrub
from ehgtui.files import write_atomically

MAX_ENTRIES = 500
"""Statements kept per server: the oldest go first."""

MAX_STATEMENT_CHARS = 20_000
"""A longer statement is not kept (a pasted dump would make the file slow to read)."""


def history_dir() -> Path:
    """Where the history files live (honours XDG_DATA_HOME on Linux)."""
    return Path(platformdirs.user_data_dir("ehgtui", appauthor=False)) / "history"


def history_path(identity: str, directory: Path | None = None) -> Path:
    """The history file of the server `identity` names."""
    key = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]
    return (directory or history_dir()) / f"{key}.json"


@dataclass(frozen=True)
class HistoryEntry:
    """One statement that was run, and when (Unix time)."""

    sql: str
    at: float


class QueryHistory:
    """The statements run on one server; read at open, written after every run."""

    def __init__(self, path: Path, identity: str, password: str | None = None) -> None:
        self.path = path
        self.identity = identity
        self._password = password
        self.entries: list[HistoryEntry] = []

    def load(self) -> str | None:
        """Read the file; returns a one-line reason when it exists but cannot be used."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"history not read: {exc}"
        try:
            data = json.loads(raw)
            self.entries = [
                HistoryEntry(str(item["sql"]), float(item["at"])) for item in data["entries"]
            ][-MAX_ENTRIES:]
        except (ValueError, KeyError, TypeError):
            return f"history not read: {self.path} is not a history file"
        return None

    def add(self, sql: str, at: float | None = None) -> None:
        """Remember a statement (moved to the end if it was there already) and save."""
        text = scrub(sql.strip(), self._password)
        if not text or len(text) > MAX_STATEMENT_CHARS:
            return
        self.entries = [e for e in self.entries if e.sql != text]
        self.entries.append(HistoryEntry(text, time.time() if at is None else at))
        del self.entries[:-MAX_ENTRIES]
        self.save()

    def save(self) -> None:
        """Write the file whole, private to the user (raises OSError)."""
        data = {
            "server": self.identity,
            "entries": [{"sql": e.sql, "at": e.at} for e in self.entries],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        text = json.dumps(data, ensure_ascii=False, indent=1)
        write_atomically(self.path, text.encode("utf-8"), mode=0o600)

    def newest_first(self) -> list[str]:
        """The statements, the last one run first."""
        return [e.sql for e in reversed(self.entries)]
