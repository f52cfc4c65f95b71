"""Run ehgtui in a pseudo-terminal, as a user would, and read what it draws."""

from __future__ import annotations

import fcntl
import os
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Mapping

DEADLINE_SECONDS = 60.0
"""Upper bound for any wait on a terminal process: a safety net, not a timing assumption."""


class PtyProcess:
    """`python -m ehgtui ARGS` on a pty of a given size; its output is collected in a thread."""

    def __init__(
        self,
        args: list[str],
        env: Mapping[str, str],
        columns: int = 120,
        rows: int = 36,
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self._master = master
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ehgtui", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=dict(env),
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self._chunks.append(data)

    @property
    def output(self) -> bytes:
        with self._lock:
            return b"".join(self._chunks)

    def text(self) -> str:
        return self.output.decode("utf-8", "replace")

    def wait_until(self, condition: Callable[[], bool], what: str) -> None:
        """Wait (bounded) until condition holds; fail naming what was awaited."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not condition():
            if self.process.poll() is not None and not condition():
                raise AssertionError(
                    f"ehgtui exited ({self.process.returncode}) before {what}: "
                    f"{self.text()[-2000:]!r}"
                )
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}: {self.text()[-2000:]!r}")
            time.sleep(0.05)

    def send(self, keys: bytes) -> None:
        os.write(self._master, keys)

    def wait_exit(self) -> int:
        """Wait (bounded) for the process to end; return its exit status."""
        return self.process.wait(timeout=DEADLINE_SECONDS)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=DEADLINE_SECONDS)
        self._reader.join(timeout=5)
        os.close(self._master)
