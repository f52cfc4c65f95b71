"""App-wide messages: what the connection and catalog workers report, and navigation requests.

Workers never touch widgets; they post one of these and a handler on the explorer screen
changes the state. Widget-local messages live nested in their widget instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg
from textual.message import Message

from ehgtui.catalog.cache import CachedCatalog, FreshCatalog
from ehgtui.catalog.domains import DomainMap
from ehgtui.catalog.model import Catalog
from ehgtui.catalog.objects import ObjectRef
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.catalog_source import CacheStart


@dataclass
class TargetResolved(Message):
    """The (possibly slow) `open_target` callable returned where to connect."""

    target: ConnectionTarget
    start: CacheStart | None = None
    """The cache read for this target, in the same worker, before any connection (None: it
    was not read, because a catalog is already shown)."""


@dataclass
class PoolOpened(Message):
    """An asyncpg pool was created in the app's event loop; the screen now owns it."""

    pool: asyncpg.Pool


@dataclass
class CatalogLoaded(Message):
    """A catalog load (first or refresh) finished, already grouped into domains."""

    catalog: Catalog
    domain_map: DomainMap
    seconds: float
    """How long the bulk load took, for the status line."""
    cached: str | None = None
    """`cached, 5 min ago` when this catalog came from the cache (a check follows); else None."""
    fresh: FreshCatalog | None = None
    """The load to save to the cache once it is on screen (None: from the cache, or off)."""
    to_check: CachedCatalog | None = None
    """The cache entry shown, to check against the server (one query) once it is on screen."""


@dataclass
class CacheChecked(Message):
    """The fingerprint query found the cached catalog current: no load was needed."""

    label: str
    """The cache mark shown in the header, e.g. `cached, 5 min ago`."""


@dataclass
class CacheIgnored(Message):
    """A cache file existed but could not be used (corrupt, foreign): one line to notify."""

    reason: str


@dataclass
class LoadFailed(Message):
    """Connecting or loading failed; `reason` is one line with no secret and no traceback."""

    reason: str
    stage: str
    """`connect` when no target or pool exists yet, `catalog` when the load itself failed."""


@dataclass
class OpenTable(Message):
    """Show a table (from the palette or the filter), optionally on a tab at a column."""

    qualified_name: str
    tab: str | None = None
    """Tab id to activate, e.g. `columns`; None keeps the current tab."""
    column: str | None = None
    """Column to put the Columns grid's cursor on."""


@dataclass
class ConnectionLost(Message):
    """A connection of `pool` ended under us (server killed it, stopped, or the network broke).

    Posted by `connection_state.PoolWatch`; the screen ignores it unless `pool` is its own.
    """

    pool: asyncpg.Pool


@dataclass
class OpenObject(Message):
    """Show a function, type, sequence, extension or publication (palette, a jump)."""

    ref: ObjectRef
    tab: str | None = None
    """Tab id of the object's kind to activate (e.g. `body`); None keeps the current tab."""
