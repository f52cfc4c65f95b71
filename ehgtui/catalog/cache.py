"""The catalog cache: the last loaded catalog of each server, shown at once on the next start.

One JSON file per server identity (`user@host:port/database`, never a password) and schema set,
named by a hash of both, mode 0600, written atomically (temporary file + rename) so a crash never
leaves half a file behind. The file carries the fingerprint (`fingerprint.py`) taken just before
the load, so that one cheap query on the next start tells whether the cached catalog is current.
A file of another format version, or one that cannot be parsed, is ignored with a one-line
reason and overwritten by the next save.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
import platformdirs

from ehgtui import __version__
from ehgtui.catalog.fingerprint import fetch_fingerprint
from ehgtui.catalog.loader import gc_paused, load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.files import left_for, write_atomically

CACHE_FORMAT = 3
"""Bumped whenever the file layout or the catalog's JSON shape changes incompatibly (2: each
table's constraints by name; 3: functions, types, extensions, publications, schemas and default
privileges)."""


class _CacheFile(msgspec.Struct):
    """A cache file's envelope, its catalog left undecoded: to say why a file is unusable."""

    format: Any = None
    ehgtui: str = ""
    fingerprint: str = ""
    identity: str = ""
    schemas: list[str] = msgspec.field(default_factory=list)
    saved_at: float = 0.0
    catalog: msgspec.Raw = msgspec.Raw(b"null")


class _CacheDocument(msgspec.Struct):
    """A whole cache file of the current format, catalog included."""

    format: int
    ehgtui: str
    fingerprint: str
    identity: str
    schemas: list[str]
    saved_at: float
    catalog: Catalog


_ENVELOPE = msgspec.json.Decoder(_CacheFile)
_DOCUMENT = msgspec.json.Decoder(_CacheDocument)
"""The catalog's JSON is the shape `serialize.to_data` gives (and snapshots use), decoded
by msgspec straight into the model classes, type-checked on the way: about five times
faster than `json.loads` and rebuilding from dicts, which matters on every start. A good
file is decoded in one pass; only a file that fails it is read again as an envelope, to
tell why (another format, another server, corrupt)."""

_SUFFIX = ".catalog.json"


class CacheError(OSError):
    """The cache file could not be written; the message is one line."""


@dataclass(frozen=True)
class CachedCatalog:
    """A catalog read back from the cache, with what is needed to check it is still current."""

    catalog: Catalog
    fingerprint: str
    """The fingerprint taken just before the cached catalog was loaded."""
    identity: str
    """The server identity the file belongs to (no password)."""
    schemas: tuple[str, ...]
    saved_at: float
    """Unix time of the save."""
    path: Path

    @property
    def age_seconds(self) -> float:
        """How old the cached catalog is, for "cached 3 min ago" notes."""
        return max(0.0, time.time() - self.saved_at)


@dataclass(frozen=True)
class CacheRead:
    """What `read_cached` found: a usable catalog, or why the file was ignored (or neither)."""

    cached: CachedCatalog | None
    warning: str | None = None
    """One line saying why an existing file was ignored; None when there was nothing to read."""


def cache_dir() -> Path:
    """The directory holding the cache files (honours XDG_CACHE_HOME on Linux)."""
    return Path(platformdirs.user_cache_dir("ehgtui", appauthor=False)) / "catalogs"


def cache_key(identity: str, schemas: Sequence[str]) -> str:
    """A file-name-safe hash of identity and schema set (the identity itself never has secrets,
    but hashing keeps host and user names out of directory listings too)."""
    text = identity + "\0" + "\0".join(schemas)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def cache_path(identity: str, schemas: Sequence[str], directory: Path | None = None) -> Path:
    """Where the catalog of `schemas` on the server `identity` is cached."""
    return (directory or cache_dir()) / f"{cache_key(identity, schemas)}{_SUFFIX}"


def save_cached(
    identity: str,
    schemas: Sequence[str],
    catalog: Catalog,
    fingerprint: str,
    directory: Path | None = None,
) -> Path:
    """Write the catalog to its cache file atomically with mode 0600; return the path.

    Raises:
        CacheError: the directory or file could not be written.
    """
    path = cache_path(identity, schemas, directory)
    document = {
        "format": CACHE_FORMAT,
        "ehgtui": __version__,
        "fingerprint": fingerprint,
        "identity": identity,
        "schemas": list(schemas),
        "saved_at": time.time(),
        "catalog": catalog,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise CacheError(f"cannot write the catalog cache in {path.parent}: {exc}") from None
    try:
        write_atomically(path, msgspec.json.encode(document), sync=True)
    except OSError as exc:
        raise CacheError(f"cannot write the catalog cache {path}: {exc}") from None
    return path


def _parse(path: Path, identity: str, schemas: Sequence[str]) -> CachedCatalog:
    """Read and check one cache file; raise ValueError with a short reason when unusable."""
    data = path.read_bytes()
    try:
        with gc_paused():
            document = _DOCUMENT.decode(data)
    except msgspec.DecodeError as exc:
        raise ValueError(_why_unusable(data, exc)) from None
    if document.format != CACHE_FORMAT:
        raise ValueError(f"format {document.format!r}, expected {CACHE_FORMAT}")
    if document.identity != identity or document.schemas != list(schemas):
        raise ValueError("written for another server or schema set")
    return CachedCatalog(
        document.catalog, document.fingerprint, identity, tuple(schemas), document.saved_at, path
    )


def _why_unusable(data: bytes, error: msgspec.DecodeError) -> str:
    """Why `data` is not a cache file of this format, given the error decoding it whole."""
    try:
        envelope = _ENVELOPE.decode(data)
    except msgspec.ValidationError as exc:  # JSON, but not shaped like our envelope
        return f"not a cache document ({exc})"
    except msgspec.DecodeError as exc:
        return f"corrupt or truncated ({exc})"
    if envelope.format != CACHE_FORMAT:
        return f"format {envelope.format!r}, expected {CACHE_FORMAT}"
    return f"malformed catalog ({error})"


def read_cached(identity: str, schemas: Sequence[str], directory: Path | None = None) -> CacheRead:
    """Read the cached catalog of `schemas` on `identity`, if a usable one exists.

    Never raises for a bad file: it is ignored, the reason is returned as `warning`, and the
    next `save_cached` replaces it.
    """
    path = cache_path(identity, schemas, directory)
    try:
        return CacheRead(_parse(path, identity, schemas))
    except FileNotFoundError:
        return CacheRead(None)
    except OSError as exc:
        return CacheRead(None, f"catalog cache {path} ignored: cannot read it ({exc.strerror})")
    except ValueError as exc:
        return CacheRead(None, f"catalog cache {path} ignored: {exc}")


def clear_cache(directory: Path | None = None) -> int:
    """Delete every cache file (and leftover temporary file); return how many were deleted."""
    root = directory or cache_dir()
    if not root.is_dir():
        return 0
    deleted = 0
    for path in root.iterdir():
        name = left_for(path) or path.name  # a temporary a crash left goes with its file
        if name.endswith(_SUFFIX) and path.is_file():
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


@dataclass(frozen=True)
class FreshCatalog:
    """A catalog just loaded, with the fingerprint taken before its load: what a save needs."""

    catalog: Catalog
    fingerprint: str


async def load_fresh(pool: asyncpg.Pool, schemas: Sequence[str]) -> FreshCatalog:
    """Take the fingerprint, then load the catalog.

    The fingerprint is taken before the load: if DDL lands in between, the cache holds a newer
    catalog under an older fingerprint, which only causes one needless reload.
    """
    fingerprint = await fetch_fingerprint(pool, schemas)
    return FreshCatalog(await load_catalog(pool, schemas), fingerprint)


async def fresh_if_changed(pool: asyncpg.Pool, cached: CachedCatalog) -> FreshCatalog | None:
    """The server's catalog if its fingerprint moved since `cached` was saved, else None.

    One fingerprint query when nothing changed; a full load only when something did.
    """
    fingerprint = await fetch_fingerprint(pool, cached.schemas)
    if fingerprint == cached.fingerprint:
        return None
    return FreshCatalog(await load_catalog(pool, cached.schemas), fingerprint)


async def save_fresh(
    fresh: FreshCatalog, identity: str, schemas: Sequence[str], directory: Path | None = None
) -> None:
    """Save a fresh catalog, best effort and off the event loop.

    A cache that cannot be written only costs the next start its speed-up, so CacheError is
    swallowed; serializing, writing and fsyncing a large catalog must not block the loop.
    """
    with contextlib.suppress(CacheError):
        await asyncio.to_thread(
            save_cached, identity, schemas, fresh.catalog, fresh.fingerprint, directory
        )


async def load_and_cache(
    pool: asyncpg.Pool, identity: str, schemas: Sequence[str], directory: Path | None = None
) -> Catalog:
    """Load the catalog and save it to the cache (best effort) before returning it."""
    fresh = await load_fresh(pool, schemas)
    await save_fresh(fresh, identity, schemas, directory)
    return fresh.catalog


async def refresh_if_changed(
    pool: asyncpg.Pool, cached: CachedCatalog, *, save: bool = True
) -> Catalog | None:
    """Return a freshly loaded catalog if the server's fingerprint differs, else None.

    With `save`, a changed catalog is saved over the old file (best effort) before returning.
    """
    fresh = await fresh_if_changed(pool, cached)
    if fresh is None:
        return None
    if save:
        await save_fresh(fresh, cached.identity, cached.schemas, cached.path.parent)
    return fresh.catalog
