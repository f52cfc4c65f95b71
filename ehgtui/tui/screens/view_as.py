"""The "view rows as" picker: the connection's role, anon, a user, service_role, any role.

Users (`auth.users`, by email) and the roles the login role may assume are read in a worker
when the picker opens; typing filters the list, and a typed uuid offers "authenticated as
user <uuid>" even when no such row exists. The choice comes back as a `ViewAs`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import ClassVar

import asyncpg
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ehgtui.find.score import fuzzy_score
from ehgtui.rows.roles import ANON, AUTHENTICATED, ME, SERVICE_ROLE, AuthUser, ViewAs
from ehgtui.rows.session import assumable_roles, list_users


def view_as_words(view_as: ViewAs) -> str:
    """A ViewAs in words before it is resolved (the page's `Viewer.label` says it exactly)."""
    role = view_as.effective_role
    if role is None:
        return "the connection's role"
    if view_as.user:
        return f"{role} as user {view_as.user}"
    return role


@dataclass(frozen=True)
class Choice:
    """One line of the picker: what it says and the ViewAs it stands for."""

    label: str
    view_as: ViewAs
    search_text: str
    """What typing is matched against (email, uuid, role name)."""


def base_choices() -> list[Choice]:
    """The choices that need no query: me, anon, authenticated without a user, service_role."""
    return [
        Choice("me: the connection's own role", ViewAs(), ME),
        Choice("anon: not signed in", ViewAs(ANON), ANON),
        Choice(
            "authenticated: signed in, no user (auth.uid() is NULL)",
            ViewAs(AUTHENTICATED),
            AUTHENTICATED,
        ),
        Choice("service_role: the API's service key", ViewAs(SERVICE_ROLE), SERVICE_ROLE),
    ]


def user_choice(user: AuthUser) -> Choice:
    """A user of `auth.users`, seen as `authenticated` with their JWT claims."""
    who = user.email or "no email"
    return Choice(
        f"authenticated as {who} ({user.id})",
        ViewAs(AUTHENTICATED, user.id),
        f"{user.email or ''} {user.id}",
    )


def role_choices(roles: list[str]) -> list[Choice]:
    """Other roles the login role may assume (the Supabase ones are offered already)."""
    skip = {ANON, AUTHENTICATED, SERVICE_ROLE}
    return [Choice(f"role {r}", ViewAs(r), r) for r in roles if r not in skip]


def filter_choices(choices: list[Choice], query: str) -> list[Choice]:
    """Choices matching what was typed, best first; a typed uuid adds a user by id."""
    query = query.strip()
    if not query:
        return choices
    scored = [(fuzzy_score(query, c.search_text), i, c) for i, c in enumerate(choices)]
    hits = [c for score, _, c in sorted(scored, key=lambda s: (-s[0], s[1])) if score > 0]
    try:
        user_id = str(uuid.UUID(query))
    except ValueError:
        return hits
    if not any(c.view_as.user == user_id for c in hits):
        typed = Choice(
            f"authenticated as user {user_id} (typed uuid)", ViewAs(AUTHENTICATED, user_id), query
        )
        hits.insert(0, typed)
    return hits


class ViewAsScreen(ModalScreen[ViewAs | None]):
    """Pick whose eyes the Rows tab looks through."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="view_as.cancel"),
        Binding("down", "cursor(1)", "Next choice", show=False, id="view_as.down"),
        Binding("up", "cursor(-1)", "Previous choice", show=False, id="view_as.up"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | escape | Close without changing the viewer. |
    | up, down | Move through the choices while typing. |
    | enter | Choose the highlighted line. |
    """

    DEFAULT_CSS = """
    ViewAsScreen {
        align: center middle;
        & > Vertical {
            width: 90%; max-width: 100; height: 80%;
            border: round $primary; background: $surface; padding: 0 1;
        }
        & #view-as-title { text-style: bold; }
        & #view-as-note { color: $text-muted; }
        & OptionList { height: 1fr; }
    }
    """

    @dataclass
    class ChoicesLoaded(Message):
        """Users and assumable roles arrived from the worker."""

        users: list[AuthUser]
        roles: list[str]
        problem: str | None = None

    def __init__(self, pool: asyncpg.Pool, current: ViewAs) -> None:
        super().__init__()
        self._pool = pool
        self._current = current
        self.choices: list[Choice] = base_choices()
        """Every choice; the list shows those matching the search box."""
        self._shown: list[Choice] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "View rows as…  (type an email, uuid or role; esc cancels)", id="view-as-title"
            )
            yield Static(
                f"now: {view_as_words(self._current)} · loading users…",
                id="view-as-note",
                markup=False,
            )
            yield Input(placeholder="search", id="view-as-search")
            yield OptionList(id="view-as-options")

    def on_mount(self) -> None:
        self._show("")
        self.query_one(Input).focus()
        self._load(self._pool)

    @work(
        exclusive=True,
        exit_on_error=False,
        group="view-as",
        name="list-viewers",
        description="Read auth.users and the assumable roles",
    )
    async def _load(self, pool: asyncpg.Pool) -> None:
        try:
            users = await list_users(pool)
            roles = await assumable_roles(pool)
        except (asyncpg.PostgresError, OSError) as exc:
            text = str(exc).strip().splitlines()
            self.post_message(self.ChoicesLoaded([], [], text[0] if text else type(exc).__name__))
            return
        self.post_message(self.ChoicesLoaded(users, roles))

    @on(ChoicesLoaded)
    def _choices_loaded(self, message: ChoicesLoaded) -> None:
        self.choices = base_choices() + [user_choice(u) for u in message.users]
        self.choices += role_choices(message.roles)
        note = f"now: {view_as_words(self._current)} · {len(message.users)} users in auth.users"
        if message.problem:
            note += f" · could not list users or roles: {message.problem}"
        self.query_one("#view-as-note", Static).update(note)
        self._show(self.query_one(Input).value)

    def _show(self, query: str) -> None:
        self._shown = filter_choices(self.choices, query)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(Content(c.label)) for c in self._shown])
        if self._shown:
            options.highlighted = 0

    @on(Input.Changed, "#view-as-search")
    def _search(self, event: Input.Changed) -> None:
        self._show(event.value)

    @on(Input.Submitted, "#view-as-search")
    def _submit(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and 0 <= index < len(self._shown):
            self.dismiss(self._shown[index].view_as)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if 0 <= event.option_index < len(self._shown):
            self.dismiss(self._shown[event.option_index].view_as)

    def action_cursor(self, step: int) -> None:
        """Move the highlight while the search box keeps the focus."""
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()
