"""Keep Python's cyclic garbage collector off the objects that live as long as a catalog.

A loaded catalog, the tree built from it, Textual's widgets and their render caches are about
100,000 objects that stay alive for the whole session. Every full (generation 2) collection
walks all of them: on the demo schema that was a 100 ms pause landing on about one table
switch in ten. `gc.freeze` moves the objects alive now to a permanent generation that
collections skip; reference counting still frees them when they are dropped.
"""

from __future__ import annotations

import gc

_first_switch_pending = False
"""True from a catalog load until the next table switch (see `freeze_after_first_switch`)."""


def freeze_long_lived_objects() -> None:
    """Collect the garbage there is now, then exempt every surviving object from collections.

    Called after each catalog load. Unfreezing first lets the collection reclaim the cycles
    left by the previous catalog (its tree nodes), so repeated loads leak nothing.
    """
    global _first_switch_pending
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
