"""The palette's "Go to function / type / sequence / extension / publication…".

Beside "Go to table…" (commands.py): every object the catalog holds, by fuzzy name, titled
with its kind's label (`Go to function: public.is_admin()`).
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ehgtui.catalog.model import Catalog
from ehgtui.catalog.objects import ObjectRef, all_objects, object_key, ref_of
from ehgtui.find.score import fuzzy_score
from ehgtui.safe_text import visible
from ehgtui.tui.commands import HIT_LIMIT, _explorer_catalog, _post_open, command_query
from ehgtui.tui.messages import OpenObject
from ehgtui.tui.safe import safe_highlight
from ehgtui.tui.widgets.detail.kinds import KINDS

GO_TO_OBJECT = "Go to function, type, sequence, extension, publication…"
"""The discovery entry's title."""


def goto_title(ref: ObjectRef) -> str:
    """`Go to function: public.is_admin()`: the hit's title, with its kind's label."""
    return f"Go to {KINDS[ref.kind].label}: {ref.key}"


def object_hits(
    catalog: Catalog, query: str, limit: int = HIT_LIMIT
) -> list[tuple[float, ObjectRef]]:
    """Objects whose name (or, with a dot, whose key) matches `query`, best first."""
    q = query.strip()
    qualified = "." in q
    scored: list[tuple[float, ObjectRef]] = []
    for obj in all_objects(catalog):
        score = fuzzy_score(q, object_key(obj) if qualified else obj.name)
        if score > 0:
            scored.append((score, ref_of(obj)))
    return sorted(scored, key=lambda s: (-s[0], s[1]))[:limit]


class GoToObjectProvider(Provider):
    """`Go to function: public.sd_descendants(p_sd_id uuid)` and the like for every kind."""

    async def discover(self) -> Hits:
        if _explorer_catalog(self) is None:
            return
        yield DiscoveryHit(GO_TO_OBJECT, partial(self._noop), help="type a name to jump to it")

    async def search(self, query: str) -> Hits:
        catalog = _explorer_catalog(self)
        if catalog is None or not query.strip():
            return
        for command in (
            "go to function",
            "go to type",
            "go to sequence",
            "go to extension",
            "go to publication",
        ):
            stripped = command_query(query, command)
            if stripped != query.strip():
                query = stripped
                break
        if not query:
            return
        matcher = self.matcher(query)
        for score, ref in object_hits(catalog, query):
            title = goto_title(ref)
            yield Hit(
                score / 200,
                safe_highlight(matcher, title),
                partial(_post_open, self, OpenObject(ref)),
                text=visible(title),
            )

    def _noop(self) -> None:
        """Discovery only tells the user the command exists; typing a name runs it."""
        self.app.notify("type part of a function, type or sequence name", timeout=3)
