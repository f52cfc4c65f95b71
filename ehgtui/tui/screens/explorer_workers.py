"""The explorer's workers: resolve the target (and read the cache), open the pool, load.

A mixin of `ExplorerScreen`, kept apart so the screen module holds layout, selection and the
handlers that own the state. The workers do I/O only and report with messages
(`tui/messages.py`); they never touch a widget.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import asyncpg
from textual import work

from ehgtui.catalog.cache import CachedCatalog, FreshCatalog
from ehgtui.catalog.domain_settings import DomainSettings
from ehgtui.catalog.domains import classify
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.tui.catalog_source import CatalogSource, EarlyStart, cached_label
from ehgtui.tui.connection_state import PoolWatch, is_connection_loss, one_line_reason
from ehgtui.tui.messages import (
    CacheChecked,
    CatalogLoaded,
    ConnectionLost,
    LoadFailed,
    PoolOpened,
    TargetResolved,
)

if TYPE_CHECKING:
    from textual.screen import Screen

    from ehgtui.catalog.model import Catalog

    _Base = Screen[None]
else:
    _Base = object


class CatalogWorkers(_Base):
    """The target, pool and catalog workers of the explorer screen."""

    catalog: Catalog | None
    schemas: tuple[str, ...]
    domain_settings: DomainSettings
    stable: bool
    use_cache: bool
    _open_target: Callable[[], ConnectionTarget]
    _early_start: EarlyStart | None

    @work(
        thread=True,
        exclusive=True,
        exit_on_error=False,
        group="connect",
        name="open-target",
        description="Resolve the connection target (may start the demo server)",
    )
    def _resolve_target(self) -> None:
        early, self._early_start = self._early_start, None
        start = None
        try:
            if early is not None:  # the first start: begun with the app, usually done by now
                target, start = early.result()
            else:
                target = self._open_target()
        except Exception as exc:  # DsnError, ServerError, or anything the opener raises
            self.post_message(LoadFailed(one_line_reason(exc), "connect"))
            return
        if start is None and self.catalog is None:  # no early start: read the cache now
            source = CatalogSource(target.identity, self.schemas, self.use_cache)
            start = source.read_start(self.domain_settings)
        self.post_message(TargetResolved(target, start))

    def _notice_once(self) -> Callable[[str], None]:
        """What the pool says about a load (too few connection slots: slower), shown the first
        time for this pool, not again on every reload."""
        said: set[str] = set()

        def notice(line: str) -> None:
            if line not in said:
                said.add(line)
                self.notify(line, title="Slower load", severity="warning", timeout=10)

        return notice

    @work(
        exclusive=True,
        exit_on_error=False,
        group="catalog",
        name="load-catalog",
        description="Open the pool if needed and load the catalog in bulk",
    )
    async def _load(
        self, target: ConnectionTarget, pool: asyncpg.Pool | None, cached: CachedCatalog | None
    ) -> None:
        started = time.perf_counter()
        source = CatalogSource(target.identity, self.schemas, self.use_cache)
        try:
            if pool is None:
                watch = PoolWatch(self.post_message)
                pool = await create_pool(
                    target, on_connection_lost=watch, on_notice=self._notice_once()
                )
                watch.pool = pool
                self.post_message(PoolOpened(pool))
            if cached is not None:
                fresh = await source.refresh(pool, cached)
                if fresh is None:
                    self.post_message(CacheChecked(cached_label(cached, self.stable)))
                    return
            else:
                fresh = await source.load(pool)
            domain_map = await asyncio.to_thread(classify, fresh.catalog, self.domain_settings)
        except Exception as exc:  # ConnectError, CatalogError, or a dropped connection
            if pool is not None and is_connection_loss(exc):
                self.post_message(ConnectionLost(pool))
            self.post_message(LoadFailed(one_line_reason(exc), "catalog"))
            return
        seconds = time.perf_counter() - started
        # saved once it is drawn (`_save`): encoding a large catalog holds the GIL a while
        saving = fresh if self.use_cache else None
        self.post_message(CatalogLoaded(fresh.catalog, domain_map, seconds, fresh=saving))

    @work(
        exit_on_error=False,
        group="cache",
        name="save-catalog",
        description="Save a loaded catalog to the cache (best effort)",
    )
    async def _save(self, target: ConnectionTarget, fresh: FreshCatalog) -> None:
        await CatalogSource(target.identity, self.schemas, self.use_cache).save(fresh)
