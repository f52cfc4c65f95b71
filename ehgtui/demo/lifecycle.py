"""The demo database's life: build once, reuse on the next start, stop when the last user exits.

The cluster lives in the user data directory. Each ehgtui process that uses it registers its
pid as a holder; the last holder to leave stops the server, unless `ehgtui demo dsn` pinned it
(then it runs until `ehgtui demo stop`). Holders that died without leaving are pruned, so a
crashed ehgtui never keeps the server alive for ever.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ehgtui.demo.server import LocalServer, ServerError, embedded_bin_dir

DEMO_DATABASE = "ehg_engineer"
"""The demo database's name."""

_MARKER_PREFIX = "ehgtui demo schema "

Progress = Callable[[str], None]


def demo_root() -> Path:
    """Where the demo cluster and its bookkeeping live."""
    import platformdirs

    return Path(platformdirs.user_data_dir("ehgtui", appauthor=False)) / "demo"


@dataclass
class DemoServer:
    """The demo cluster and the files that track who is using it."""

    root: Path

    @property
    def server(self) -> LocalServer:
        return LocalServer(embedded_bin_dir(), self.root / "pgdata")

    @property
    def _holders(self) -> Path:
        return self.root / "holders"

    @property
    def _pin(self) -> Path:
        return self.root / "pinned"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _live_holders(self) -> list[int]:
        live: list[int] = []
        if not self._holders.is_dir():
            return live
        for entry in self._holders.iterdir():
            try:
                pid = int(entry.name)
                os.kill(pid, 0)
            except (ValueError, ProcessLookupError):
                entry.unlink(missing_ok=True)
                continue
            except PermissionError:
                pass
            live.append(pid)
        return live

    def start(self, progress: Progress | None = None, *, pin: bool = False) -> str:
        """Start the server, build the demo schema if missing or stale; return the DSN.

        Args:
            progress: called with a short status line while slow steps run.
            pin: keep the server running after this process exits (for `demo dsn`).

        Returns:
            A DSN for the demo database, without password (trust authentication).
        """
        say = progress or (lambda _msg: None)
        with self._locked():
            server = self.server
            if not server.initialised:
                say("creating the demo cluster (first run only)…")
            server.start()
            if pin:
                self._pin.touch()
            else:
                self._holders.mkdir(parents=True, exist_ok=True)
                (self._holders / str(os.getpid())).touch()
            self._ensure_schema(server, say)
            return server.dsn(DEMO_DATABASE)

    def release(self) -> None:
        """Leave as a holder; stop the server when no holder is left and it is not pinned."""
        with self._locked():
            (self._holders / str(os.getpid())).unlink(missing_ok=True)
            if not self._live_holders() and not self._pin.exists():
                self.server.stop()

    def stop(self) -> bool:
        """Unpin and stop the server now; return True if it was running."""
        with self._locked():
            self._pin.unlink(missing_ok=True)
            server = self.server
            was_running = server.running_port() is not None
            server.stop()
            return was_running

    def _psql(self, server: LocalServer, database: str, sql: str, single: bool = True) -> str:
        args = [str(server.bin_dir / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"]
        if single:
            args.append("-1")
        args += ["-d", server.dsn(database), "-f", "-"]
        result = subprocess.run(args, input=sql, capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            raise ServerError(f"demo schema failed: {lines[-1] if lines else 'psql failed'}")
        return result.stdout

    def _ensure_schema(self, server: LocalServer, say: Progress) -> None:
        from ehgtui.demo.schema import demo_schema_sql

        # the marker names the script's content, so any change to the schema rebuilds the demo
        digest = hashlib.sha256(demo_schema_sql().encode()).hexdigest()[:16]
        wanted = f"{_MARKER_PREFIX}{digest}"
        found = self._psql(
            server,
            "postgres",
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            f"WHERE datname = '{DEMO_DATABASE}'",
            single=False,
        ).strip()
        if found == wanted:
            return
        say("building the demo schema (first run only, a few seconds)…")
        self._psql(
            server,
            "postgres",
            f"DROP DATABASE IF EXISTS {DEMO_DATABASE} WITH (FORCE);\n"
            f"CREATE DATABASE {DEMO_DATABASE};",
            single=False,
        )
        self._psql(server, DEMO_DATABASE, demo_schema_sql() + "\nANALYZE;\n")
        self._psql(
            server, "postgres", f"COMMENT ON DATABASE {DEMO_DATABASE} IS '{wanted}'", single=False
        )


def default_demo() -> DemoServer:
    """The demo cluster in the user data directory."""
    return DemoServer(demo_root())
