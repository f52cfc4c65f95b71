"""The Policies tab: each policy's command, roles, type, USING and WITH CHECK.

Expressions are often long (sub-selects on `user_organizations`), so the grid shows them on
one line and the panel under it shows the highlighted policy's expressions in full, wrapped.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ehgtui.catalog.model import Catalog, Policy, Table
from ehgtui.catalog.objects import functions_of_policy
from ehgtui.safe_text import visible
from ehgtui.tui.formatting import RLS_MARKS, RLS_WORDS, one_line, rls_state
from ehgtui.tui.widgets.detail.grid import DetailGrid

POLICIES_HEADER = ("Name", "Command", "Roles", "Type", "USING", "WITH CHECK")
"""The grid's column labels."""


def rls_banner(table: Table) -> Content:
    """One line saying whether RLS is enabled and forced, with its marker (not colour alone)."""
    state = rls_state(table)
    style = {"on": "$success", "no-policies": "$warning", "off": "$error", "view": "$accent"}[state]
    words = RLS_WORDS[state]
    forced = "forced" if table.rls_forced else "not forced"
    detail = f" · {forced}" if table.rls_enabled else " · every role with a grant sees every row"
    if state == "no-policies":
        detail += " · only the owner and BYPASSRLS roles see rows"
    return Content.from_markup(
        f"[{style} bold]$mark $words[/]$detail", mark=RLS_MARKS[state], words=words, detail=detail
    )


def policy_detail(policy: Policy, calls: Sequence[str] = ()) -> Content:
    """The full text of one policy, for the panel under the grid.

    Args:
        policy: The policy.
        calls: Signatures of the functions its expressions call (from the catalog).
    """
    kind = "PERMISSIVE" if policy.permissive else "RESTRICTIVE"
    return Content.from_markup(
        "[b]$name[/b]  $kind FOR $command TO $roles\n[b]USING[/b] $using\n[b]WITH CHECK[/b] $check"
        "\n[b]Calls[/b] $calls",
        name=visible(policy.name),
        kind=kind,
        command=policy.command,
        roles=visible(", ".join(policy.roles)),
        using=visible(policy.using or "—", multiline=True),
        check=visible(policy.with_check or "—", multiline=True),
        calls=visible(", ".join(calls) or "no function of the loaded schemas"),
    )


class PoliciesView(Vertical):
    """The RLS banner, a grid of policies, and the highlighted policy in full."""

    DEFAULT_CSS = """
    PoliciesView {
        & > #rls-banner { height: 1; padding: 0 1; }
        & > DetailGrid { height: 1fr; }
        & > #policy-detail-scroll {
            height: auto; max-height: 8; border-top: solid $panel-lighten-2; padding: 0 1;
        }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's own name)
        super().__init__(id=id)
        self._policies: tuple[Policy, ...] = ()
        self._calls: tuple[tuple[str, ...], ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(id="rls-banner")
        yield DetailGrid(POLICIES_HEADER, id="policies-grid")
        with VerticalScroll(id="policy-detail-scroll"):
            yield Static(id="policy-detail")

    def show_table(self, table: Table, catalog: Catalog) -> None:
        """Show the RLS state and the policies of `table`.

        Args:
            table: The table to show.
            catalog: The whole catalog (what uses each function, inverted: what each calls).
        """
        self._policies = tuple(sorted(table.policies, key=lambda p: p.name))
        self._calls = tuple(
            tuple(
                f.signature
                for f in functions_of_policy(catalog, table.schema, table.name, policy.name)
            )
            for policy in self._policies
        )
        self.query_one("#rls-banner", Static).update(rls_banner(table))
        self.query_one("#policies-grid", DetailGrid).show_rows(
            (
                p.name,
                p.command,
                ", ".join(p.roles),
                "permissive" if p.permissive else "restrictive",
                one_line(p.using, 80),
                one_line(p.with_check, 80),
            )
            for p in self._policies
        )
        self._show_detail(0)

    def _show_detail(self, row: int) -> None:
        detail = self.query_one("#policy-detail", Static)
        if 0 <= row < len(self._policies):
            detail.update(policy_detail(self._policies[row], self._calls[row]))
        else:
            detail.update("no policies")

    @on(DetailGrid.RowHighlighted, "#policies-grid")
    def _follow_cursor(self, event: DetailGrid.RowHighlighted) -> None:
        event.stop()
        self._show_detail(event.cursor_row)
