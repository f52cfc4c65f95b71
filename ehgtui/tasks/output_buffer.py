"""A bounded buffer of output lines: a chatty task never grows ehgtui's memory without end."""

from __future__ import annotations

from collections import deque

MAX_LINES = 10_000
"""Lines kept per task run: the most recent ones."""

MAX_BYTES = 2 * 1024 * 1024
"""Bytes (UTF-8) kept per task run, whichever limit is reached first."""


class OutputBuffer:
    """The last lines of a task's output, within a line and a byte budget."""

    def __init__(self, max_lines: int = MAX_LINES, max_bytes: int = MAX_BYTES) -> None:
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        self._lines: deque[str] = deque()
        self._bytes = 0
        self.dropped = 0
        """How many of the oldest lines were let go to stay within budget."""

    def append(self, line: str) -> None:
        """Keep line, dropping the oldest lines while over budget."""
        self._lines.append(line)
        self._bytes += len(line.encode("utf-8")) + 1
        while self._lines and (len(self._lines) > self.max_lines or self._bytes > self.max_bytes):
            oldest = self._lines.popleft()
            self._bytes -= len(oldest.encode("utf-8")) + 1
            self.dropped += 1

    @property
    def lines(self) -> tuple[str, ...]:
        """The kept lines, oldest first."""
        return tuple(self._lines)

    @property
    def size_bytes(self) -> int:
        """The kept lines' size, counting one newline each."""
        return self._bytes
