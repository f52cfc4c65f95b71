"""Keep Python's cyclic garbage collector off the objects that live as long as a catalog.

A loaded catalog, the tree built from it, Textual's widgets and their render caches are about
100,000 objects that stay alive for the whole session. Every full (generation 2) collection
walks all of them: on the demo schema that was a 100 ms pause landing on about one table
switch in ten. `gc.freeze` moves the objects alive now to a permanent generation that
collections skip; reference counting still frees them when they are dropped.

Each table switch still leaves cyclic garbage (a Textual `Strip` often keeps itself in its own
crop caches: about 2,300 of those caches per switch to the wide demo table), and CPython's full
collection that reclaims it walks everything made since the load: 17-28 ms, on about one switch
in ten. `defer_full_collections` makes the automatic ones ten times rarer and `IdleCollector`
runs one when the user pauses instead; the price is the garbage of the switches in between
(about 8 MB more at peak over 40 switches without a pause).
"""

from __future__ import annotations

import gc

from textual.message_pump import MessagePump
from textual.timer import Timer

FULL_COLLECTION_EVERY = 100
"""Generation-1 collections between automatic full ones while the app runs (CPython: 10).

Still a bound: someone who never pauses gets a full collection every ~100 generation-1
collections, so cyclic garbage cannot pile up without limit."""

IDLE_SECONDS = 1.0
"""Quiet time after a table switch before `IdleCollector` runs a full collection."""

_first_switch_pending = False
"""True from a catalog load until the next table switch (see `freeze_after_first_switch`)."""


def freeze_long_lived_objects(collect: bool = True) -> None:
    """Collect the garbage there is now, then exempt every surviving object from collections.

    Called after each catalog load. Unfreezing first lets the collection reclaim the cycles
    left by the previous catalog (its tree nodes), so repeated loads leak nothing.

    Args:
        collect: False after the first load: there is no previous catalog to reclaim, and the
            collection (30-50 ms on the demo, for a few thousand objects left by the start)
            would hold up the first keys; what it would have freed is freed at the next load.
    """
    global _first_switch_pending
    if collect:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
    _first_switch_pending = True


def freeze_after_first_switch() -> None:
    """On the first table switch after a load, freeze what the first frames allocated.

    Drawing the loaded catalog the first time makes tens of thousands of long-lived objects
    (every widget's rendered lines), after the freeze at load. Freezing costs nothing: no
    collection runs. A dead cycle frozen with them is reclaimed at the next load.
    """
    global _first_switch_pending
    if _first_switch_pending:
        _first_switch_pending = False
        gc.freeze()


def defer_full_collections() -> tuple[int, int, int]:
    """Make CPython's automatic full collections rarer (see FULL_COLLECTION_EVERY).

    Returns:
        The thresholds before, for `gc.set_threshold` when the app ends.
    """
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], max(before[2], FULL_COLLECTION_EVERY))
    return before


class IdleCollector:
    """Runs a full collection once the user has paused, where nobody waits for a frame."""

    def __init__(self, owner: MessagePump, delay: float = IDLE_SECONDS) -> None:
        """
        Args:
            owner: Whose timer counts the quiet time (the explorer screen).
            delay: Seconds of quiet before the collection.
        """
        self._owner = owner
        self._delay = delay
        self._timer: Timer | None = None
        self.collections = 0
        """Full collections run so far (tests read it)."""

    def poke(self) -> None:
        """Something happened: start the countdown again."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self._owner.set_timer(self._delay, self._collect, name="idle-collection")

    def _collect(self) -> None:
        self._timer = None
        gc.collect()
        self.collections += 1
