"""The check results screen: a built-in check's findings in a grid; enter opens the object.

The check is a pure function over the catalog; on a large catalog it takes a moment, so it
runs in a thread worker and the screen says "checking…" meanwhile. The screen dismisses with
the chosen finding (or None), and whoever pushed it opens its table, function or extension.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ehgtui.catalog.model import Catalog
from ehgtui.checks.findings import LEVELS, Finding, sort_findings
from ehgtui.tui.safe import safe_content, safe_text

CheckFunction = Callable[[Catalog], list[Finding]]
"""A built-in check: `check_rls` or `check_conventions`."""

LEVEL_BADGES: dict[str, str] = {"error": "!", "warning": "!", "info": "i"}
"""Badge shown after a table's RLS marker in the tree, by its worst finding's level."""


def badges_for(findings: list[Finding]) -> dict[str, str]:
    """The tree badge of each table having findings, from its worst finding.

    Args:
        findings: A check's findings.

    Returns:
        `schema.table` to badge text (`!` for errors and warnings, `i` for info only).
    """
    worst: dict[str, int] = {}
    for finding in findings:
        rank = LEVELS.index(finding.level)
        worst[finding.table] = min(rank, worst.get(finding.table, rank))
    return {table: LEVEL_BADGES[LEVELS[rank]] for table, rank in worst.items()}


def summary_line(findings: list[Finding]) -> str:
    """`12 findings: 3 error, 5 warning, 4 info on 9 tables` (or `no findings`)."""
    if not findings:
        return "no findings"
    counts = ", ".join(
        f"{sum(1 for f in findings if f.level == level)} {level}" for level in LEVELS
    )
    tables = len({f.table for f in findings})
    return f"{len(findings)} findings: {counts} on {tables} tables  (enter opens the table)"


class FindingsScreen(Screen[Finding | None]):
    """A check's findings: level, table, code, message, source; enter opens the table."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_finding", "Open table", id="findings.open"),
        Binding("escape,q", "dismiss(None)", "Close", id="findings.close"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Close the results and open the finding's table in the explorer. |
    | escape, q | Close the results. |
    """

    DEFAULT_CSS = """
    FindingsScreen {
        layout: vertical;
        & #findings-title { background: $boost; text-style: bold; padding: 0 1; }
        & #findings-summary { background: $boost; color: $text-muted; padding: 0 1; }
        & #findings-table { height: 1fr; }
        & #findings-detail { height: auto; max-height: 4; padding: 0 1; background: $boost; }
    }
    """

    @dataclass
    class Checked(Message):
        """The check finished: its findings, worst first."""

        findings: list[Finding]

    @dataclass
    class CheckFailed(Message):
        """The check raised (a bug in it): one line to show."""

        reason: str

    def __init__(
        self,
        title: str,
        catalog: Catalog,
        check: CheckFunction,
        on_findings: Callable[[list[Finding]], None] | None = None,
    ) -> None:
        """Run check over catalog when shown.

        Args:
            title: `Check: RLS coverage`.
            catalog: The explorer's catalog.
            check: The check to run.
            on_findings: Told the findings once known (the tree badges them).
        """
        super().__init__()
        self.check_title = title
        self._catalog = catalog
        self._check = check
        self._on_findings = on_findings
        self.findings: list[Finding] | None = None
        """The findings shown, worst first; None while the check runs."""

    def compose(self) -> ComposeResult:
        yield Static(self.check_title, id="findings-title", markup=False)
        yield Static("checking…", id="findings-summary", markup=False)
        yield DataTable(id="findings-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="findings-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Level", "Table", "Code", "Message", "Source")
        table.focus()
        self._run_check()

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="check",
        name="run-check",
        description="Run a built-in check over the catalog",
    )
    def _run_check(self) -> None:
        try:
            findings = sort_findings(self._check(self._catalog))
        except Exception as exc:  # a check bug must not take the app down
            self.post_message(self.CheckFailed(f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(self.Checked(findings))

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        self.findings = message.findings
        self.query_one("#findings-summary", Static).update(summary_line(message.findings))
        table = self.query_one(DataTable)
        for index, finding in enumerate(message.findings):
            table.add_row(  # Text, not str: DataTable parses a str cell as markup
                *(
                    safe_text(cell)
                    for cell in (
                        finding.level,
                        finding.table,
                        finding.code,
                        finding.message,
                        finding.source or "",
                    )
                ),
                key=str(index),
            )
        if self._on_findings is not None:
            self._on_findings(message.findings)

    @on(CheckFailed)
    def _check_failed(self, message: CheckFailed) -> None:
        self.query_one("#findings-summary", Static).update(
            safe_content(f"the check failed: {message.reason}")
        )

    def selected_finding(self) -> Finding | None:
        """The finding under the cursor, or None when there is none."""
        table = self.query_one(DataTable)
        if not self.findings or table.row_count == 0:
            return None
        return self.findings[table.cursor_row]

    def action_open_finding(self) -> None:
        """Close the results and ask for the finding's object (a table, a function, an
        extension) to be opened."""
        finding = self.selected_finding()
        if finding is not None:
            self.dismiss(finding)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        """The grid cuts long messages: the whole of the highlighted one shows below it."""
        finding = self.selected_finding()
        text = ""
        if finding is not None:
            source = f"  [{finding.source}]" if finding.source else ""
            text = f"{finding.table}: {finding.message}{source}"
        self.query_one("#findings-detail", Static).update(safe_content(text, multiline=True))

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open_finding()
