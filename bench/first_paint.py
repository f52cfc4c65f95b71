"""The moment the app first paints the domain tree with tables in it (a probe's clock).

A Pilot gets control only after every widget has handled a callback it posts, which on a start
from the cache comes tens of milliseconds after the tree was drawn (and after whatever the app
mounts next). The issue's target counts to the first painted tree, so the probes also note the
first frame Textual hands its driver while the tree has rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.console import RenderableType
from textual.app import App
from textual.screen import Screen

from ehgtui.tui.screens.main import ExplorerScreen
from ehgtui.tui.widgets.tree.domain_tree import DomainTree


def watch_tree_paint(
    started: float, note: Callable[[], None] | None = None
) -> Callable[[], float | None]:
    """Record when the first frame with a filled tree is displayed (once per process).

    Args:
        started: The `time.perf_counter()` the figure counts from.
        note: Called once, at that frame (e.g. to note the statements sent so far).

    Returns:
        A function giving the seconds from `started` to that frame, or None before it.
    """
    painted: list[float] = []
    display = App._display

    def display_and_note(
        app: App[Any], screen: Screen[Any], renderable: RenderableType | None
    ) -> None:
        if not painted and renderable is not None and not app._batch_count:
            if isinstance(screen, ExplorerScreen):
                trees = screen.query(DomainTree)
                if trees and trees.first().root.children:
                    painted.append(time.perf_counter() - started)
                    if note is not None:
                        note()
        display(app, screen, renderable)

    setattr(App, "_display", display_and_note)  # noqa: B010 (a private method, patched in a probe)
    return lambda: painted[0] if painted else None
