"""Getting text to the user's clipboard, whichever terminal they are in.

Three ways, tried in order by the callers (the CLI's `--copy`, the TUI's `y`):

1. OSC 52: an escape sequence the terminal itself turns into a clipboard write. It is the only
   way that reaches the user's own machine over SSH. Inside tmux it must be wrapped for
   passthrough (tmux then needs `set -g allow-passthrough on`, or `set-clipboard on`).
2. pyperclip: the local clipboard (xclip, wl-copy, pbcopy, …) when there is one.
3. A file: always works; its path is shown so the text is never lost.

This module has no Textual in it: the TUI sends the OSC 52 sequence through its own driver.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ehgtui.files import write_atomically

OSC52_MAX_BYTES = 1_000_000
"""Some terminals drop longer OSC 52 payloads; past this we rely on the other ways."""


@dataclass(frozen=True)
class CopyResult:
    """Which ways the text went, for one notification line."""

    osc52: bool
    local: bool
    file: Path | None
    file_error: str | None = None
    """Why the fallback file could not be written, when it could not."""
    osc52_bytes: int = 0
    """The size of the text sent as OSC 52 (UTF-8 bytes, before base64)."""
    tmux: bool = False
    """Sent from inside tmux ($TMUX), which drops OSC 52 unless configured to pass it on."""
    ssh: bool = False
    """Sent over SSH: only the local terminal's OSC 52 support can take it further."""

    def describe(self) -> str:
        """One line saying what was done: what OSC 52 sent (it cannot be confirmed, so where
        it may not arrive), whether the local clipboard took it, and the file's path."""
        parts = []
        if self.local:
            parts.append("copied to the local clipboard")
        if self.osc52:
            parts.append(
                f"sent {self.osc52_bytes} bytes to the terminal as OSC 52 ({self._osc52_caveat()})"
            )
        if not parts:
            if self.file is not None:
                return f"no clipboard was reachable: saved to {self.file}"
            failed = f": {self.file_error}" if self.file_error else ""
            return f"no clipboard was reachable and the file copy failed{failed}"
        said = "; ".join(parts)
        if self.file is not None:
            return f"{said}; also saved to {self.file}"
        return f"{said}; the file copy failed: {self.file_error}" if self.file_error else said

    def _osc52_caveat(self) -> str:
        """Where an OSC 52 copy may not arrive, for the environment it was sent from."""
        if self.tmux:
            return (
                "inside tmux it arrives only with `set -g set-clipboard on` "
                "or `allow-passthrough on`"
            )
        if self.ssh:
            return "over SSH it arrives only if your local terminal accepts OSC 52"
        return "it arrives only if the terminal accepts OSC 52"


def in_tmux(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("TMUX"))


def over_ssh(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("SSH_TTY") or env.get("SSH_CONNECTION") or env.get("SSH_CLIENT"))


def osc52_sequence(text: str, *, tmux: bool) -> str:
    """The OSC 52 escape that sets the clipboard to text, wrapped for tmux passthrough if asked."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    sequence = f"\x1b]52;c;{payload}\a"
    if tmux:
        # tmux passthrough: DCS tmux; <sequence with every ESC doubled> ST
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def osc52_fits(text: str) -> bool:
    return len(text.encode("utf-8")) * 4 // 3 <= OSC52_MAX_BYTES


def copy_local(text: str) -> bool:
    """Copy with pyperclip; False when this machine has no clipboard it can reach."""
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:  # noqa: BLE001 - pyperclip raises several unrelated types when unavailable
        return False
    return True


def fallback_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("ehgtui", appauthor=False)) / "copies"


def safe_file_stem(name: str) -> str:
    """A file-name-safe version of an object name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "copy"


def write_fallback(
    text: str, name: str, directory: Path | None = None, suffix: str = ".sql"
) -> Path:
    """Write text to `<cache>/copies/<name><suffix>` (private to the user) and return the path.

    The suffix lets an editor opened on the file recognise what it holds (`.sql`, `.mmd`).
    """
    directory = directory or fallback_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{safe_file_stem(name)}{suffix}"
    write_atomically(path, text.encode("utf-8"))
    return path


def copy_via_tty(
    text: str,
    name: str,
    *,
    env: Mapping[str, str] | None = None,
    tty_path: str = "/dev/tty",
    directory: Path | None = None,
    suffix: str = ".sql",
) -> CopyResult:
    """Copy text the way a command-line program can: pyperclip (unless over SSH), else OSC 52
    written to the controlling terminal, and always the fallback file.

    Never raises for an unreachable clipboard or an unwritable file: the result says so.
    """
    local = False if over_ssh(env) else copy_local(text)
    osc52 = False
    if not local and osc52_fits(text):
        try:
            with open(tty_path, "w", encoding="utf-8") as tty:
                tty.write(osc52_sequence(text, tmux=in_tmux(env)))
            osc52 = True
        except OSError:
            osc52 = False
    path: Path | None = None
    reason: str | None = None
    try:
        path = write_fallback(text, name, directory, suffix)
    except OSError as exc:
        reason = f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)
    return CopyResult(
        osc52=osc52,
        local=local,
        file=path,
        file_error=reason,
        osc52_bytes=len(text.encode("utf-8")) if osc52 else 0,
        tmux=in_tmux(env),
        ssh=over_ssh(env),
    )
