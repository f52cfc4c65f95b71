"""Where the explorer's catalog comes from: the cache on disk first, then the server.

The explorer screen's workers ask this module: is there a cached catalog to show at once
(`read_start`, in the thread that resolves the target), is it still current (`refresh`: one
fingerprint query), how to do a full load (`load`), and to save what was loaded (`save`, after
it is shown). The decisions live here so the screen only posts what comes back; nothing here
touches a widget.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from ehgtui.catalog.cache import (
    CachedCatalog,
    CacheRead,
    FreshCatalog,
    fresh_if_changed,
    load_fresh,
    read_cached,
    save_fresh,
)
from ehgtui.catalog.domain_settings import DomainSettings
from ehgtui.catalog.domains import DomainMap, classify
from ehgtui.catalog.loader import load_catalog
from ehgtui.db.settings import ConnectionTarget


def age_words(seconds: float) -> str:
    """A cache's age the way people say it: `just now`, `5 min ago`, `3 h ago`, `2 days ago`."""
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} h ago"
    return f"{hours // 24} days ago"


def cached_label(cached: CachedCatalog, stable: bool = False) -> str:
    """The header's mark for a catalog shown from the cache: `cached, 5 min ago`.

    Args:
        cached: The cache entry shown.
        stable: Leave the age out (it varies between runs; snapshots must not).

    Returns:
        The words for the connection bar.
    """
    return "cached" if stable else f"cached, {age_words(cached.age_seconds)}"


@dataclass(frozen=True)
class CacheStart:
    """What the cache offered at start: the read, and the cached catalog's domains."""

    read: CacheRead
    domains: DomainMap | None = None

    @property
    def cached(self) -> CachedCatalog | None:
        """The cached catalog to show, when both it and its domains are there."""
        return self.read.cached if self.domains is not None else None


@dataclass(frozen=True)
class CatalogSource:
    """The catalog of `schemas` on the server `identity`, through the cache unless it is off."""

    identity: str
    """`user@host:port/database` (no password): the cache file's key."""
    schemas: tuple[str, ...]
    use_cache: bool = True
    """False (`--no-cache`) neither reads nor writes the cache."""
    directory: Path | None = None
    """The cache directory; None for the user's cache directory."""

    def read_start(self, settings: DomainSettings) -> CacheStart:
        """The cached catalog to show before any query, already grouped into domains
        (blocking: call it from a thread).

        A corrupt or foreign file comes back with `read.warning` set; the caller shows the
        warning as a notification and does a full load.
        """
        if not self.use_cache:
            return CacheStart(CacheRead(None))
        read = read_cached(self.identity, self.schemas, self.directory)
        domains = classify(read.cached.catalog, settings) if read.cached is not None else None
        return CacheStart(read, domains)

    async def load(self, pool: asyncpg.Pool) -> FreshCatalog:
        """A full load (with the fingerprint to save it under, when caching is on)."""
        if not self.use_cache:
            return FreshCatalog(await load_catalog(pool, self.schemas), "")
        return await load_fresh(pool, self.schemas)

    async def refresh(self, pool: asyncpg.Pool, cached: CachedCatalog) -> FreshCatalog | None:
        """The server's catalog if it changed since `cached` was saved, else None.

        One fingerprint query when nothing changed; a changed schema is loaded in full.
        """
        return await fresh_if_changed(pool, cached)

    async def save(self, fresh: FreshCatalog) -> None:
        """Save a loaded catalog to the cache (best effort; nothing when caching is off).

        Called after the catalog is on screen: writing a large file must not delay it.
        """
        if self.use_cache:
            await save_fresh(fresh, self.identity, self.schemas, self.directory)


FirstStart = tuple[ConnectionTarget, CacheStart]
"""The first start's connection target and what the cache offered for it."""


class EarlyStart:
    """The first start's target and cache read, begun in a thread as soon as the app runs.

    Textual builds the explorer screen (styles, widgets) in the same time it takes to read and
    decode the cache, so doing both at once puts the cached tree on screen sooner than reading
    only once the screen is mounted. Only the first start uses it: a retry resolves anew.
    """

    def __init__(
        self,
        open_target: Callable[[], ConnectionTarget],
        schemas: tuple[str, ...],
        settings: DomainSettings,
        use_cache: bool,
    ) -> None:
        self._open_target = open_target
        self._schemas = schemas
        self._settings = settings
        self._use_cache = use_cache
        self._future: Future[FirstStart] = Future()
        self._started = False
        self._reading = threading.Event()
        """Set once the target is resolved: all that is left is reading the cache file."""

    def begin(self) -> None:
        """Start the thread (once; later calls do nothing)."""
        if not self._started:
            self._started = True
            threading.Thread(target=self._run, name="ehgtui-early-start", daemon=True).start()

    def ready(self) -> FirstStart | None:
        """The result if the thread has already succeeded; None if it is still running or
        failed (then `result`, from a worker, waits for it or raises)."""
        future = self._future
        if future.done() and future.exception() is None:
            return future.result()
        return None

    @property
    def reading_cache(self) -> bool:
        """True while the thread only has the cache file left to read (a local, bounded
        job, unlike resolving the target, which may start the demo server)."""
        return self._use_cache and self._reading.is_set() and not self._future.done()

    def wait_for_cache(self, timeout: float) -> FirstStart | None:
        """`ready()`, after waiting up to `timeout` seconds for a cache read in progress.

        Waiting costs the screen nothing at start: the decoding thread holds the interpreter
        while it works, so the main thread could not draw meanwhile anyway, and once the
        catalog is there the first frame shows the tree instead of the loading panel.
        """
        if self.reading_cache:
            with contextlib.suppress(TimeoutError):
                self._future.exception(timeout)
        return self.ready()

    def result(self) -> FirstStart:
        """Wait for the thread (blocking: call it from a thread); raise what the opener raised."""
        self.begin()
        return self._future.result()

    def _run(self) -> None:
        try:
            target = self._open_target()
            self._reading.set()
            source = CatalogSource(target.identity, self._schemas, self._use_cache)
            self._future.set_result((target, source.read_start(self._settings)))
        except BaseException as exc:  # handed to the screen's worker, which reports it
            self._future.set_exception(exc)
