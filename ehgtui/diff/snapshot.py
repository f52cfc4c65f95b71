"""Snapshots: a catalog as deterministic, sorted JSON, fit to commit and to diff against.

The `catalog` object has the same shape as the cache's (`ehgtui.catalog.serialize.to_data`),
minus what differs between two loads of an unchanged schema: the load time, the query count,
row estimates and sizes. OIDs stay (they let `diff` tell a rename from a drop plus an add) but
are never compared. Everything is sorted by name, so that two snapshots of the same schema are
byte-identical and a changed one reads well in `git diff`. See `docs/snapshot-format.md`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ehgtui.catalog.model import Catalog
from ehgtui.catalog.serialize import catalog_from_data, to_data
from ehgtui.files import write_atomically

SNAPSHOT_FORMAT = 3
"""The `snapshot_format` this version writes (2: functions, types, extensions, publications,
schemas and default privileges; 3: the server's texts name objects with their schema, as
pg_dump prints them, and `names_qualified` says so)."""

READABLE_SNAPSHOT_FORMATS = (1, 2, 3)
"""Formats this version reads: format 1 is format 2 without the lists 2 added, which read as
empty, so a snapshot committed before them still diffs; format 2 is format 3 with texts
printed under the connection's search_path (`names_qualified` false), which `diff` compares
with a qualified catalog by taking the qualifiers out of both (`diff/qualification.py`)."""

VOLATILE_CATALOG_FIELDS = ("loaded_at", "query_count")
VOLATILE_TABLE_FIELDS = ("row_estimate", "size_bytes")
VOLATILE_INDEX_FIELDS = ("size_bytes",)
"""Left out of snapshots: they change with the data or the moment of the load."""

_TABLE_DEFAULTS = {"row_estimate": -1, "size_bytes": 0}
_INDEX_DEFAULTS = {"size_bytes": 0}
"""What the volatile fields read back as ("unknown"), since the model requires them."""

# Order of the parts of a table: by name, except columns (by position, as the table has them).
_SORT_KEYS: dict[str, Any] = {
    "constraints": lambda c: c["name"],
    "indexes": lambda i: i["name"],
    "policies": lambda p: p["name"],
    "triggers": lambda t: t["name"],
    "privileges": lambda p: (p["grantee"], p["privilege"], p["grantor"]),
    "referenced_by": lambda r: (r["schema"], r["table"], r["constraint_name"]),
}


_OBJECT_SORT_KEYS: dict[str, Any] = {
    "functions": lambda f: (f["schema"], f["name"], f["identity_arguments"]),
    "types": lambda t: (t["schema"], t["name"]),
    "extensions": lambda e: e["name"],
    "publications": lambda p: p["name"],
    "schema_objects": lambda s: s["name"],
    "default_privileges": lambda d: (d["role"], d["schema"] or "", d["object_type"]),
}
"""The catalog's other lists, sorted as the loader sorts them."""


class SnapshotError(ValueError):
    """A snapshot file is missing, unreadable or not a snapshot; the message is one line."""


def snapshot_data(catalog: Catalog) -> dict[str, Any]:
    """The catalog as snapshot data: volatile fields dropped, every list sorted."""
    data: dict[str, Any] = to_data(catalog)
    for name in VOLATILE_CATALOG_FIELDS:
        data.pop(name, None)
    tables = []
    for table in data["tables"]:
        for name in VOLATILE_TABLE_FIELDS:
            table.pop(name, None)
        for index in table["indexes"]:
            for name in VOLATILE_INDEX_FIELDS:
                index.pop(name, None)
        for part, key in _SORT_KEYS.items():
            table[part] = sorted(table[part], key=key)
        tables.append(table)
    data["tables"] = sorted(tables, key=lambda t: (t["schema"], t["name"]))
    data["sequences"] = sorted(data["sequences"], key=lambda s: (s["schema"], s["name"]))
    for name, key in _OBJECT_SORT_KEYS.items():
        data[name] = sorted(data.get(name, ()), key=key)
    return data


def dumps_snapshot(catalog: Catalog) -> str:
    """The snapshot document as text: indented, keys sorted, ending with a newline."""
    document = {"snapshot_format": SNAPSHOT_FORMAT, "catalog": snapshot_data(catalog)}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_snapshot(catalog: Catalog, path: Path) -> None:
    """Write the snapshot to path atomically (temporary file + rename).

    Raises:
        SnapshotError: the file could not be written.
    """
    text = dumps_snapshot(catalog)
    try:  # readable by all: it is meant to be committed next to the migrations
        write_atomically(path, text.encode("utf-8"), mode=0o644)
    except OSError as exc:
        raise SnapshotError(f"cannot write {path}: {exc.strerror or exc}") from None


def _catalog_part(document: Any, source: str) -> dict[str, Any]:
    """Find the catalog in a snapshot, in a cache file, or in a bare catalog document."""
    if not isinstance(document, dict):
        raise SnapshotError(f"{source}: not an ehgtui snapshot (expected a JSON object)")
    if "snapshot_format" in document:
        if document["snapshot_format"] not in READABLE_SNAPSHOT_FORMATS:
            readable = " and ".join(str(n) for n in READABLE_SNAPSHOT_FORMATS)
            raise SnapshotError(
                f"{source}: snapshot format {document['snapshot_format']!r} is not supported "
                f"(this ehgtui reads formats {readable})"
            )
        catalog = document.get("catalog")
        if document["snapshot_format"] < 3 and isinstance(catalog, dict):
            catalog["names_qualified"] = False
    elif "catalog" in document and "fingerprint" in document:
        catalog = document["catalog"]  # a cache file: the same catalog shape
        written = document.get("format")
        if not (isinstance(written, int) and written >= 5) and isinstance(catalog, dict):
            catalog["names_qualified"] = False  # a cache from before the texts were qualified
    elif "tables" in document and "server" in document:
        catalog = document
    else:
        raise SnapshotError(f"{source}: not an ehgtui snapshot (no snapshot_format key)")
    if not isinstance(catalog, dict):
        raise SnapshotError(f"{source}: not an ehgtui snapshot (no catalog object)")
    return catalog


def loads_snapshot(text: str, source: str = "snapshot") -> Catalog:
    """Rebuild a Catalog from snapshot text (volatile fields read back as unknown).

    Raises:
        SnapshotError: the text is not JSON or not a snapshot this version reads.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    data = _catalog_part(document, source)
    try:
        for table in data["tables"]:
            for name, value in _TABLE_DEFAULTS.items():
                table.setdefault(name, value)
            for index in table.get("indexes", ()):
                for name, value in _INDEX_DEFAULTS.items():
                    index.setdefault(name, value)
        return catalog_from_data(data)
    except (KeyError, TypeError, AttributeError) as exc:
        raise SnapshotError(
            f"{source}: malformed snapshot ({exc.__class__.__name__}: {exc})"
        ) from None


def read_snapshot(path: Path) -> Catalog:
    """Read a snapshot file (or a catalog cache file).

    Raises:
        SnapshotError: the file is missing, unreadable or not a snapshot.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SnapshotError(f"{path}: is a directory, not a snapshot file") from None
    except UnicodeDecodeError:
        raise SnapshotError(f"{path}: not a text file") from None
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    return loads_snapshot(text, str(path))
