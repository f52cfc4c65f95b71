"""Callbacks that wait for the next drawn layout of a screen.

Textual's `call_after_refresh` runs its callbacks the next time the screen is idle with nothing
to draw, which can come before a frame: when the widgets just changed have not told the screen
yet, or while a batch elsewhere (the footer recomposing its keys) holds the frame back. The
explorer uses this instead for what must follow the frame that draws a loaded catalog (the
hidden tabs, the heap freeze, the cache save and check).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen


class FrameCallbacks:
    """Runs callbacks once the screen's next layout has been drawn (its layout-refresh signal)."""

    def __init__(self, screen: Screen[Any]) -> None:
        self._screen = screen
        self._pending: list[tuple[Callable[..., object], tuple[object, ...]]] = []

    def attach(self) -> None:
        """Listen to the screen's layout refreshes (once it is mounted)."""
        self._screen.screen_layout_refresh_signal.subscribe(
            self._screen, self._drawn, immediate=True
        )

    def add(self, callback: Callable[..., object], *args: object) -> None:
        """Call `callback(*args)` (it may be async) once the next layout has been drawn."""
        self._pending.append((callback, args))
        self._screen.refresh(layout=True)

    def _drawn(self, _screen: Screen[Any]) -> None:
        pending, self._pending = self._pending, []
        for callback, args in pending:
            self._screen.call_later(callback, *args)
