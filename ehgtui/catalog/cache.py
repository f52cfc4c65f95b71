"""The catalog cache: the last loaded catalog of each server, shown at once on the next start.

One JSON file per server identity (`user@host:port/database`, never a password) and schema set,
named by a hash of both, mode 0600, written atomically (temporary file + rename) so a crash never
leaves half a file behind. The file carries the fingerprint (`fingerprint.py`) taken just before
the load, so that one cheap query on the next start tells whether the cached catalog is current.
A file of another format version, or one that cannot be parsed, is ignored with a one-line
reason and overwritten by the next save.

The file is one JSON document, read whole by the TUI (and by `ehgtui diff` as a snapshot), laid
out so that a lookup of one table (`ehgtui describe T`) decodes only that table: it begins with
`{"format":5,"catalog_at":N` (N padded with spaces to a fixed width), the byte at which the
catalog's value starts, and the fields before the catalog hold an index: every relation's
schema, name and kind, and where each table's JSON lies inside the catalog. On the demo at the
live database's size (900 tables, 8 MB) decoding the whole file takes 40-60 ms; the head and one
table, well under 1 ms.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import msgspec

from ehgtui import __version__
from ehgtui.catalog.model import Catalog, RelationName
from ehgtui.catalog.table_fingerprint import TableFingerprints

if TYPE_CHECKING:  # the loader and asyncpg are only needed when the cache is stale
    import asyncpg

CACHE_FORMAT = 6
"""Bumped whenever the file layout or the catalog's JSON shape changes incompatibly (2: each
table's constraints by name; 3: functions, types, extensions, publications, schemas and default
privileges; 4: the index that lets a lookup decode one table; 5: the index lists each
relation's foreign-key targets, which the domain rules follow; 6: the server's texts printed
with an empty search_path, names schema-qualified as pg_dump prints them: a file of 5 would
show the old texts until the schema next changed, since the fingerprint does not see it)."""

_CATALOG_AT_WIDTH = 12
"""Characters `catalog_at`'s number is padded to, so that the head can be written before the
catalog's position in the file is known."""

_LEAD = re.compile(rb'\{"format":(\d+),"catalog_at":(\d+) *,')
"""The start of a file of this layout: its format and where its catalog begins."""

_CATALOG_KEY = b',"catalog":'


class _CacheFile(msgspec.Struct):
    """A cache file's envelope, its catalog left undecoded: to say why a file is unusable."""

    format: Any = None
    ehgtui: str = ""
    fingerprint: str = ""
    identity: str = ""
    schemas: list[str] = msgspec.field(default_factory=list)
    saved_at: float = 0.0
    catalog: msgspec.Raw = msgspec.Raw(b"null")


class _CacheHead(msgspec.Struct):
    """The fields before the catalog: the envelope and the index."""

    format: int
    catalog_at: int
    ehgtui: str
    fingerprint: str
    identity: str
    schemas: list[str]
    saved_at: float
    relations: tuple[RelationName, ...]
    """Every relation of the catalog, in its order."""
    tables_at: tuple[int, int]
    """Where the catalog's `tables` array lies, counted from the catalog's first byte."""
    spans: list[tuple[int, int]]
    """Where each table of `relations` lies in the catalog (start, end)."""
    table_fingerprints: TableFingerprints | None = None
    """Each relation's fingerprint (`table_fingerprint.py`), taken before the load; None in a
    file saved without them (a lookup then checks the whole fingerprint)."""


class _CacheDocument(msgspec.Struct):
    """A whole cache file of the current format, catalog included (the index is skipped)."""

    format: int
    ehgtui: str
    fingerprint: str
    identity: str
    schemas: list[str]
    saved_at: float
    catalog: Catalog


_ENVELOPE = msgspec.json.Decoder(_CacheFile)
_DOCUMENT = msgspec.json.Decoder(_CacheDocument)
_HEAD = msgspec.json.Decoder(_CacheHead)
_CATALOG = msgspec.json.Decoder(Catalog)
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
    import platformdirs

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
    table_fingerprints: TableFingerprints | None = None,
) -> Path:
    """Write the catalog to its cache file atomically with mode 0600; return the path.

    Raises:
        CacheError: the directory or file could not be written.
    """
    from ehgtui.files import write_atomically

    path = cache_path(identity, schemas, directory)
    document = encode_cache_file(identity, schemas, catalog, fingerprint, table_fingerprints)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise CacheError(f"cannot write the catalog cache in {path.parent}: {exc}") from None
    try:
        write_atomically(path, document, sync=True)
    except OSError as exc:
        raise CacheError(f"cannot write the catalog cache {path}: {exc}") from None
    return path


def encode_cache_file(
    identity: str,
    schemas: Sequence[str],
    catalog: Catalog,
    fingerprint: str,
    table_fingerprints: TableFingerprints | None = None,
) -> bytes:
    """The cache file's bytes: the head with its index, then the catalog (see the module's
    docstring). The catalog is encoded field by field, each table apart, to know where each
    lies; the result is the JSON msgspec gives for the whole catalog."""
    encode = msgspec.json.Encoder().encode
    parts: list[bytes] = [b"{"]
    at = 1
    spans: list[tuple[int, int]] = []
    tables_at = (0, 0)
    for number, catalog_field in enumerate(dataclasses.fields(Catalog)):
        key = (b"," if number else b"") + encode(catalog_field.name) + b":"
        parts.append(key)
        at += len(key)
        if catalog_field.name != "tables":
            value = encode(getattr(catalog, catalog_field.name))
            parts.append(value)
            at += len(value)
            continue
        start = at
        for position, table in enumerate(catalog.tables):
            encoded = (b"," if position else b"[") + encode(table)
            spans.append((at + 1, at + len(encoded)))  # after the `[` or `,`
            parts.append(encoded)
            at += len(encoded)
        if not catalog.tables:
            parts.append(b"[")
            at += 1
        parts.append(b"]")
        at += 1
        tables_at = (start, at)
    parts.append(b"}")
    head = encode(
        {
            "ehgtui": __version__,
            "fingerprint": fingerprint,
            "identity": identity,
            "schemas": list(schemas),
            "saved_at": time.time(),
            "relations": [
                RelationName(t.schema, t.name, t.kind, t.references) for t in catalog.tables
            ],
            "tables_at": tables_at,
            "spans": spans,
            "table_fingerprints": table_fingerprints,
        }
    )[1:-1]
    lead = b'{"format":%d,"catalog_at":' % CACHE_FORMAT
    catalog_at = len(lead) + _CATALOG_AT_WIDTH + 1 + len(head) + len(_CATALOG_KEY)
    padded = str(catalog_at).encode().ljust(_CATALOG_AT_WIDTH)
    if len(padded) != _CATALOG_AT_WIDTH:
        raise CacheError(f"catalog too large to cache ({catalog_at} bytes of head)")
    return b"".join([lead, padded, b",", head, _CATALOG_KEY, *parts, b"}"])


def _parse(path: Path, identity: str, schemas: Sequence[str]) -> CachedCatalog:
    """Read and check one cache file; raise ValueError with a short reason when unusable."""
    from ehgtui.catalog.loader import gc_paused

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


@dataclass(frozen=True)
class CachedTables:
    """Some tables of a cached catalog, read without decoding its other tables."""

    catalog: Catalog
    """The cached catalog, every field whole but `tables`: only the tables asked for (those
    that exist, and any of another schema with the same bare name)."""
    relations: tuple[RelationName, ...]
    """Every relation of the whole cached catalog, in its order: enough to group into domains."""
    fingerprint: str
    """The fingerprint taken just before the cached catalog was loaded."""
    saved_at: float
    path: Path
    table_fingerprints: TableFingerprints | None = None
    """The relations' fingerprints taken with it; None in a file saved without them."""


def read_cached_tables(
    identity: str, schemas: Sequence[str], names: Iterable[str], directory: Path | None = None
) -> CachedTables | None:
    """The tables called `names` (`schema.table` or bare, as `Catalog.table` takes them) of
    the cached catalog of `schemas` on `identity`, decoding only those tables.

    None when there is no usable file, whatever the reason: the caller then loads the catalog,
    and the save after that load replaces the file.
    """
    path = cache_path(identity, schemas, directory)
    try:
        with path.open("rb") as file:
            return _read_tables(file, path, identity, schemas, set(names))
    except (OSError, msgspec.DecodeError, ValueError):
        return None


_FIRST_READ = 1 << 16
"""Bytes read first: the head of a catalog of a few hundred tables (its index is about 55
bytes a table); a larger head is read in a second call."""


def _read_tables(
    file: BinaryIO, path: Path, identity: str, schemas: Sequence[str], names: set[str]
) -> CachedTables:
    """The named tables of an open cache file, reading its head, the catalog's fields other
    than its tables, and those tables' bytes only; ValueError or DecodeError when unusable."""
    first = file.read(_FIRST_READ)
    lead = _LEAD.match(first)
    if lead is None or int(lead[1]) != CACHE_FORMAT:
        raise ValueError("not a cache file of this layout")
    catalog_at = int(lead[2])
    head_end = catalog_at - len(_CATALOG_KEY)
    if head_end <= lead.end():
        raise ValueError("no head")
    if len(first) < head_end:
        first += file.read(head_end - len(first))
    head = _HEAD.decode(first[:head_end] + b"}")
    if head.identity != identity or head.schemas != list(schemas):
        raise ValueError("written for another server or schema set")
    if len(head.spans) != len(head.relations):
        raise ValueError("index and relations differ")

    def read(start: int, end: int | None = None) -> bytes:
        """Bytes start to end of the catalog (to the file's end without end)."""
        file.seek(catalog_at + start)
        return file.read() if end is None else file.read(end - start)

    wanted = [
        (relation, span)
        for relation, span in zip(head.relations, head.spans, strict=True)
        if relation.name in names or relation.qualified_name in names
    ]
    tables_start, tables_end = head.tables_at
    rest = read(tables_end)  # the fields after the tables, then the document's closing brace
    if not rest.endswith(b"}}"):
        raise ValueError("truncated")
    pieces = [read(start, end) for _relation, (start, end) in wanted]
    catalog = _CATALOG.decode(
        b"".join([read(0, tables_start), b"[", b",".join(pieces), b"]", rest[:-1]])
    )
    if [t.qualified_name for t in catalog.tables] != [r.qualified_name for r, _ in wanted]:
        raise ValueError("index does not match the tables")
    return CachedTables(
        catalog, head.relations, head.fingerprint, head.saved_at, path, head.table_fingerprints
    )


def clear_cache(directory: Path | None = None) -> int:
    """Delete every cache file (and leftover temporary file); return how many were deleted."""
    from ehgtui.files import left_for

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
    table_fingerprints: TableFingerprints | None = None
    """Each relation's fingerprint, taken before the load as `fingerprint` is."""


async def load_fresh(
    pool: asyncpg.Pool, schemas: Sequence[str], fingerprint: str | None = None
) -> FreshCatalog:
    """Take the fingerprints (the whole catalog's unless given, and each relation's), then
    load the catalog.

    The fingerprints are taken before the load: if DDL lands in between, the cache holds a
    newer catalog under older fingerprints, which only causes one needless reload.
    """
    import asyncio

    from ehgtui.catalog.fingerprint import fetch_fingerprint
    from ehgtui.catalog.loader import load_catalog
    from ehgtui.catalog.table_fingerprint import fetch_table_fingerprints

    if fingerprint is None:  # both on connections of their own, the load's pool opens anyway
        whole, tables = await asyncio.gather(
            fetch_fingerprint(pool, schemas), fetch_table_fingerprints(pool, schemas)
        )
    else:
        whole, tables = fingerprint, await fetch_table_fingerprints(pool, schemas)
    return FreshCatalog(await load_catalog(pool, schemas), whole, tables)


async def fresh_if_changed(pool: asyncpg.Pool, cached: CachedCatalog) -> FreshCatalog | None:
    """The server's catalog if its fingerprint moved since `cached` was saved, else None.

    One fingerprint query when nothing changed; a full load only when something did.
    """
    from ehgtui.catalog.fingerprint import fetch_fingerprint

    fingerprint = await fetch_fingerprint(pool, cached.schemas)
    if fingerprint == cached.fingerprint:
        return None
    return await load_fresh(pool, cached.schemas, fingerprint)


async def save_fresh(
    fresh: FreshCatalog, identity: str, schemas: Sequence[str], directory: Path | None = None
) -> None:
    """Save a fresh catalog, best effort and off the event loop.

    A cache that cannot be written only costs the next start its speed-up, so CacheError is
    swallowed; serializing, writing and fsyncing a large catalog must not block the loop.
    """
    import asyncio  # here: a warm lookup reads the cache without asyncio (`cli.table_lookup`)

    with contextlib.suppress(CacheError):
        await asyncio.to_thread(
            save_cached,
            identity,
            schemas,
            fresh.catalog,
            fresh.fingerprint,
            directory,
            fresh.table_fingerprints,
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
