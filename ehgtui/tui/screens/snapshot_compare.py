""" "Compare with snapshot…": ask for a snapshot file, diff it with the live catalog.

The file is read and compared in a thread worker (a snapshot of 850 tables is a few MB of
JSON); a bad path or a file that is not a snapshot is one line under the box, so the user
can fix the path without starting over. The result comes back as a `SnapshotComparison`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from ehgtui.catalog.domain_settings import DomainSettings
from ehgtui.catalog.model import Catalog
from ehgtui.diff.compare import diff_catalogs
from ehgtui.diff.model import CHANGE_KINDS, CatalogDiff
from ehgtui.diff.render import MARKS
from ehgtui.diff.snapshot import SnapshotError, read_snapshot
from ehgtui.tui.safe import safe_content


@dataclass(frozen=True)
class SnapshotComparison:
    """A snapshot (side A) compared with the live catalog (side B)."""

    diff: CatalogDiff
    snapshot: Path


def change_marks(diff: CatalogDiff) -> dict[str, str]:
    """The tree's mark of each live table that differs: `+` added, `~` changed, `>` renamed.

    Removed tables are not in the live tree; the notification and the Diff tab name them.
    """
    return {t.qualified_name: MARKS[t.kind] for t in diff.tables if t.kind != "removed"}


def compare_with_snapshot(
    path: Path, current: Catalog, domain_settings: DomainSettings | None
) -> SnapshotComparison:
    """Read the snapshot at `path` and diff it (A) with `current` (B).

    Raises:
        SnapshotError: the file is missing, unreadable or not a snapshot (one line).
    """
    snapshot = read_snapshot(path)
    return SnapshotComparison(diff_catalogs(snapshot, current, domain_settings), path)


def comparison_summary(comparison: SnapshotComparison) -> str:
    """One line for the notification: counts by kind, and the removed tables by name."""
    diff = comparison.diff
    if diff.is_empty:
        return f"no differences from {comparison.snapshot.name}"
    counts = diff.counts()
    parts = [f"{counts[k]} {k}" for k in CHANGE_KINDS if counts[k]]
    removed = [t.qualified_name for t in diff.tables if t.kind == "removed"]
    line = f"{comparison.snapshot.name}: " + ", ".join(parts)
    if removed:
        line += " (removed: " + ", ".join(removed[:5]) + ("…" if len(removed) > 5 else "") + ")"
    return line


class SnapshotCompareScreen(ModalScreen[SnapshotComparison | None]):
    """Ask for a snapshot path; dismiss with the comparison, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="snapshot_compare.cancel"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape | Close without comparing. |
    | enter | Compare with the snapshot file typed. |
    """

    DEFAULT_CSS = """
    SnapshotCompareScreen {
        align: center middle;
        & > Vertical {
            width: 90%; max-width: 100; height: auto;
            border: round $primary; background: $surface; padding: 0 1;
        }
        & #compare-title { text-style: bold; }
        & #compare-error { color: $text-error; height: auto; }
    }
    """

    @dataclass
    class Failed(Message):
        """The snapshot could not be read or compared; `reason` is one line."""

        reason: str

    def __init__(self, current: Catalog, domain_settings: DomainSettings | None) -> None:
        super().__init__()
        self._current = current
        self._domain_settings = domain_settings

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "Compare with snapshot…  (enter compares, esc cancels)", id="compare-title"
            )
            yield Input(
                placeholder="path of a snapshot JSON (made by: ehgtui snapshot FILE)",
                id="compare-path",
            )
            yield Static("", id="compare-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted, "#compare-path")
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            self._show_error("type the path of a snapshot file")
            return
        self._show_error("comparing…")
        self._compare(Path(text).expanduser())

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="compare",
        name="compare-snapshot",
        description="Read a snapshot and diff it with the catalog",
    )
    def _compare(self, path: Path) -> None:
        try:
            comparison = compare_with_snapshot(path, self._current, self._domain_settings)
        except (SnapshotError, OSError) as exc:
            self.post_message(self.Failed(str(exc).splitlines()[0] if str(exc) else "failed"))
            return
        self.app.call_from_thread(self.dismiss, comparison)

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self._show_error(message.reason)

    def _show_error(self, text: str) -> None:
        self.query_one("#compare-error", Static).update(safe_content(text, multiline=True))
