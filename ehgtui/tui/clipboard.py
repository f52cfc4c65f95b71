"""The TUI's one copy function: OSC 52 through the app's driver, pyperclip, and a file.

Every copy goes every way that can work, because none can be detected as having worked:
OSC 52 always (the only way that reaches the user's machine over SSH; wrapped for tmux
passthrough inside tmux), pyperclip when not over SSH (there it would write the remote host's
clipboard, if any), and always the fallback file. When neither OSC 52 could be sent (no real
terminal, e.g. headless) nor pyperclip worked, a modal shows the file's path and the text.
The layers themselves live in `ehgtui.clipboard` (no Textual), shared with the CLI's `--copy`.
"""

from __future__ import annotations

from functools import partial

from textual.app import App

from ehgtui import clipboard as core_clipboard
from ehgtui.tui.screens.copy_fallback import CopyFallbackScreen

DDL_SUFFIX = ".sql"
"""Fallback file suffix for DDL."""

MERMAID_SUFFIX = ".mmd"
"""Fallback file suffix for Mermaid text (what the Mermaid CLI and editors expect)."""


def send_osc52(app: App[object], text: str) -> bool:
    """Send the OSC 52 sequence through the app's driver; True when a terminal was there to get it.

    `App.copy_to_clipboard` writes the plain sequence and keeps the text in `app.clipboard`
    (which tests read); inside tmux the passthrough-wrapped sequence is written as well, so the
    copy works whether tmux has `set-clipboard on` or `allow-passthrough on`.

    Args:
        app: The running app.
        text: What to copy.

    Returns:
        False when the text is too long for OSC 52 or there is no terminal (headless).
    """
    if not core_clipboard.osc52_fits(text):
        return False
    app.copy_to_clipboard(text)
    driver = getattr(app, "_driver", None)
    if driver is None or app.is_headless:
        return False
    if core_clipboard.in_tmux():
        driver.write(core_clipboard.osc52_sequence(text, tmux=True))
    return True


def copy_text(app: App[object], text: str, name: str, suffix: str = DDL_SUFFIX) -> None:
    """Copy text every way that can work, then say which ways it went (or show the modal).

    OSC 52 is sent at once on the event loop; pyperclip (which may run a subprocess) and the
    fallback file are done in a thread worker that reports back with `call_from_thread`.

    Args:
        app: The running app.
        text: What to copy.
        name: What the text is about (a table name), used for the fallback file's name.
        suffix: The fallback file's suffix.
    """
    osc52 = send_osc52(app, text)
    ssh = core_clipboard.over_ssh()
    app.run_worker(
        partial(_local_and_file, app, text, name, suffix, osc52, ssh),
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="clipboard",
        name="copy",
        description="Copy to the local clipboard and write the fallback file",
    )


def _local_and_file(
    app: App[object], text: str, name: str, suffix: str, osc52: bool, ssh: bool
) -> None:
    """Worker body: pyperclip unless over SSH, then the file; report on the event loop."""
    local = False if ssh else core_clipboard.copy_local(text)
    try:
        path = core_clipboard.write_fallback(text, name, suffix=suffix)
    except OSError as exc:
        size = len(text.encode("utf-8"))
        app.call_from_thread(_report_file_error, app, osc52, local, str(exc), size)
        return
    result = core_clipboard.CopyResult(
        osc52=osc52,
        local=local,
        file=path,
        osc52_bytes=len(text.encode("utf-8")) if osc52 else 0,
        tmux=core_clipboard.in_tmux(),
        ssh=ssh,
    )
    app.call_from_thread(_report, app, result, text)


def _report(app: App[object], result: core_clipboard.CopyResult, text: str) -> None:
    """Notify where the text went; when no clipboard took it, show the text and its file."""
    if result.osc52 or result.local or result.file is None:
        app.notify(result.describe(), title="Copied", timeout=4)
        return
    app.notify(result.describe(), title="Copy", severity="warning", timeout=6)
    app.push_screen(CopyFallbackScreen(result.file, text))


def _report_file_error(app: App[object], osc52: bool, local: bool, reason: str, size: int) -> None:
    """The fallback file could not be written: say so, and still show the text if needed."""
    result = core_clipboard.CopyResult(
        osc52=osc52,
        local=local,
        file=None,
        osc52_bytes=size if osc52 else 0,
        tmux=core_clipboard.in_tmux(),
        ssh=core_clipboard.over_ssh(),
    )
    if osc52 or local:
        app.notify(f"{result.describe()}; the file copy failed: {reason}", timeout=6)
        return
    app.notify(f"no clipboard was reachable and the file copy failed: {reason}", severity="error")
