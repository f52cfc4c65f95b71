"""The hostile schema (tests/fixtures/hostile.sql) on the session's real servers.

Import the fixtures into a test module (`from tests.hostile import hostile_db  # noqa: F401`).
The database is built once per server and session: the tests only read it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.pg import TestServer

HOSTILE_SQL = Path(__file__).parent / "fixtures" / "hostile.sql"

OSC52 = "\x1b]52;c;aGVsbG8=\x07"
OSC0 = "\x1b]0;pwned\x07"
CSI_CLEAR = "\x1b[2J"
C1_CSI = "\u009b"
RTL = "\u202e"

DATA_ESCAPES = re.compile("\x1b\\]52;|\x1b\\]0;|\x1b\\[2J|\x07|\u009b|\u202e")
"""What the data would write to a terminal if it got through raw.

The app's own codes never look like these: it writes no OSC 0 (window title), no OSC 52 (and
no BEL, which ends it) unless asked to copy, no CSI 2J (Textual uses the alternate screen) and
no C1 or bidi character.
"""

UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""A control or bidi character: none may be in text output built from the hostile data."""

SHOWN = ("\\x1b]52;c;aGVsbG8=\\x07", "\\x1b]0;pwned\\x07", "\\x1b[2J", "\\x9b", "<U+202E>")
"""How the payloads read once made visible (ehgtui/safe_text.py's notation)."""

HOSTILE_TABLES = (
    "[/]",
    "[@click=app.quit]clickme[/]",
    "[bold red]x",
    f"clear{CSI_CLEAR}\x1b[Hscreen",
    f"osc52{OSC52}",
    f"title{OSC0}",
    f"c1{C1_CSI}2J",
    f"rtl{RTL}exe.txt",
    "hostile_main",
)
"""Every table of the `public` schema (and `elsewhere."[/]"` besides)."""

_BUILT: dict[str, str] = {}


def hostile_database(server: TestServer) -> str:
    """The hostile database on this server (built on first use)."""
    if server.label not in _BUILT:
        _BUILT[server.label] = server.create_database("hostile", HOSTILE_SQL.read_text())
    return _BUILT[server.label]


@pytest.fixture(scope="session")
def hostile_db(pg18: TestServer) -> str:
    """The hostile database's DSN on PostgreSQL 18."""
    return pg18.dsn(hostile_database(pg18))


@pytest.fixture(scope="session")
def hostile_dsn(pg: TestServer) -> str:
    """The hostile database's DSN on each server in turn."""
    return pg.dsn(hostile_database(pg))
