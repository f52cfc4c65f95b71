"""Export schema docs: ask the output directory, then render and write in a thread worker.

The built-in `npm run schema:docs:engineer`. Rendering one page per table of a large catalog
is heavy pure work, so it runs in a thread and the screen stays responsive; the result is one
notification with the count of files written.
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

from ehgtui.catalog.domains import DomainMap
from ehgtui.catalog.model import Catalog
from ehgtui.docs.render import render_docs
from ehgtui.docs.writer import DocsWriteError, DocsWriteReport, write_docs

DEFAULT_DOCS_DIR = "docs/schema"
"""Suggested output directory, relative to the project directory."""


def export_summary(outdir: Path, report: DocsWriteReport) -> str:
    """One line: how many files were written, unchanged and removed."""
    return (
        f"{len(report.written)} files written to {outdir} "
        f"({len(report.unchanged)} unchanged, {len(report.removed)} stale pages removed)"
    )


class DocsExportScreen(ModalScreen[DocsWriteReport | None]):
    """Ask where to write the schema docs, write them, and dismiss with the report."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="docs_export.cancel"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Write the docs to the directory typed. |
    | escape | Cancel. |
    """

    DEFAULT_CSS = """
    DocsExportScreen {
        align: center middle;
        & > Vertical {
            width: 80%; max-width: 90; height: auto;
            border: thick $primary; background: $surface; padding: 1 2;
        }
        & #docs-title { text-style: bold; padding-bottom: 1; }
        & #docs-status { color: $text-muted; }
        & #docs-status.-failed { color: $error; text-style: bold; }
    }
    """

    @dataclass
    class Written(Message):
        """The docs were written."""

        outdir: Path
        report: DocsWriteReport

    @dataclass
    class WriteFailed(Message):
        """The directory could not be written: one line."""

        reason: str

    def __init__(self, catalog: Catalog, domain_map: DomainMap, base_dir: Path) -> None:
        """Offer `base_dir/docs/schema`; relative answers are taken from base_dir.

        Args:
            catalog: The explorer's catalog.
            domain_map: Its domains (the docs group tables by them).
            base_dir: The project directory (or the current one).
        """
        super().__init__()
        self._catalog = catalog
        self._domain_map = domain_map
        self._base_dir = base_dir
        self.report: DocsWriteReport | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Export schema docs (Markdown) to:", id="docs-title")
            yield Input(str(self._base_dir / DEFAULT_DOCS_DIR), id="docs-outdir")
            yield Static("enter writes, escape cancels", id="docs-status")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        outdir = Path(text).expanduser()
        if not outdir.is_absolute():
            outdir = self._base_dir / outdir
        self.query_one(Input).disabled = True
        self.query_one("#docs-status", Static).update(f"writing {outdir}…")
        self._export(outdir)

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="docs",
        name="export-docs",
        description="Render the schema docs and write the changed files",
    )
    def _export(self, outdir: Path) -> None:
        try:
            report = write_docs(outdir, render_docs(self._catalog, self._domain_map))
        except DocsWriteError as exc:
            self.post_message(self.WriteFailed(str(exc)))
            return
        self.post_message(self.Written(outdir, report))

    @on(Written)
    def _written(self, message: Written) -> None:
        self.report = message.report
        self.app.notify(export_summary(message.outdir, message.report), title="Schema docs")
        self.dismiss(message.report)

    @on(WriteFailed)
    def _failed(self, message: WriteFailed) -> None:
        status = self.query_one("#docs-status", Static)
        status.update(message.reason)
        status.add_class("-failed")
        self.query_one(Input).disabled = False
        self.query_one(Input).focus()
