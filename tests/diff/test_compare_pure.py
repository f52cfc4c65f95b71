"""The pure parts of diff: rename rules, grouping, rendering and snapshot reading, no server."""

from __future__ import annotations

import json

import msgspec
import pytest

from ehgtui.catalog.model import Catalog, Column, Extension, Index, ServerInfo, Table
from ehgtui.diff.compare import diff_catalogs
from ehgtui.diff.model import diff_to_data
from ehgtui.diff.render import render_text
from ehgtui.diff.snapshot import SnapshotError, dumps_snapshot, loads_snapshot
from ehgtui.safe_text import visible

SERVER = ServerInfo("18.1", 180001, "db", "postgres", False)


def _column(name: str, position: int, data_type: str = "text") -> Column:
    return Column(
        name, position, data_type, "pg_catalog", "base", None, (), False, None, None, None,
        None, None, None, None,
    )  # fmt: skip


def _table(name: str, oid: int, columns: list[str], indexes: tuple[Index, ...] = ()) -> Table:
    return Table(
        oid, "public", name, "table", "postgres", None, True, False, 10, 8192, "permanent",
        "DEFAULT", (), None, None, None, (), None,
        columns=tuple(_column(c, i + 1) for i, c in enumerate(columns)),
        indexes=indexes,
    )  # fmt: skip


def _catalog(*tables: Table) -> Catalog:
    return Catalog(SERVER, ("public",), tables)


def test_same_oid_with_unrelated_columns_is_not_a_rename() -> None:
    a = _catalog(_table("sd_items", 16400, ["id", "title"]))
    b = _catalog(_table("ventures", 16400, ["slug", "stage", "score"]))
    result = diff_catalogs(a, b)
    assert [(t.qualified_name, t.kind, t.domain) for t in result.tables] == [
        ("public.sd_items", "removed", "Strategic Directives"),
        ("public.ventures", "added", "Ventures"),
    ]
    assert list(result.by_domain()) == ["Strategic Directives", "Ventures"]


def test_rename_ignores_the_table_name_inside_index_definitions() -> None:
    def index(table: str) -> Index:
        return Index(
            "items_title_idx", f'CREATE INDEX items_title_idx ON public."{table}" USING btree'
            " (title)", ("title",), False, False, None, None, "btree", 8192,
        )  # fmt: skip

    a = _catalog(_table("Items", 16400, ["id", "title"], (index("Items"),)))
    b = _catalog(_table("Items2", 16400, ["id", "title"], (index("Items2"),)))
    [renamed] = diff_catalogs(a, b).tables
    assert (renamed.kind, renamed.old_name, renamed.objects) == ("renamed", "public.Items", ())


def test_volatile_fields_and_positions_are_not_compared() -> None:
    a = _catalog(_table("ventures", 1, ["id", "name"]))
    moved = _table("ventures", 2, ["id", "name"])
    b = _catalog(
        msgspec.structs.replace(
            moved,
            row_estimate=99999,
            size_bytes=1,
            columns=tuple(
                msgspec.structs.replace(c, position=c.position + 3) for c in moved.columns
            ),
        )
    )
    assert diff_catalogs(a, b).is_empty


def test_text_rendering_and_style_hook() -> None:
    a = _catalog(_table("ventures", 1, ["id"]))
    b = _catalog(_table("ventures", 1, ["id", "stage"]), _table("leo_rules", 2, ["id"]))
    result = diff_catalogs(a, b)
    assert render_text(result) == (
        "LEO Protocol\n"
        "  + table public.leo_rules added\n"
        "\n"
        "Ventures\n"
        "  ~ table public.ventures changed\n"
        "    + column stage  text\n"
        "\n"
        "2 tables differ: 1 added, 1 changed\n"
    )
    styled = render_text(result, lambda text, kind: f"<{kind}>{text}</{kind}>")
    assert "<heading>Ventures</heading>" in styled
    assert "<added>    + column stage  text</added>" in styled
    assert styled.endswith("2 tables differ: 1 added, 1 changed\n")


def test_snapshot_round_trip_and_unknown_format() -> None:
    catalog = _catalog(_table("ventures", 1, ["id"]))
    text = dumps_snapshot(catalog)
    back = loads_snapshot(text)
    ventures = back.table("ventures")
    assert ventures is not None and ventures.row_estimate == -1 and ventures.size_bytes == 0
    assert dumps_snapshot(back) == text
    with pytest.raises(SnapshotError, match="snapshot format 99 is not supported"):
        loads_snapshot('{"snapshot_format": 99, "catalog": {}}', "x.json")
    with pytest.raises(SnapshotError, match="malformed snapshot"):
        loads_snapshot('{"snapshot_format": 2, "catalog": {"tables": [{}]}}', "x.json")
    # A format 1 snapshot (before functions and types) still reads, with those lists empty.
    old = json.loads(dumps_snapshot(catalog))
    old["snapshot_format"] = 1
    for name in ("functions", "types", "extensions", "publications"):
        old["catalog"].pop(name, None)
    assert loads_snapshot(json.dumps(old), "old.json").functions == ()


def _extension(name: str, version: str) -> Extension:
    return Extension(name, "extensions", version, "1.6", "postgres", None)


def test_objects_render_after_tables_escaped_and_counted() -> None:
    """Other kinds come after the tables, under their kind, with hostile text escaped; a
    version-only difference is a change, an extension on one side an addition."""
    hostile = "evil\x1b[2Jext"
    a = Catalog(SERVER, ("public",), (), extensions=(_extension("pg_trgm", "1.5"),))
    b = Catalog(
        SERVER,
        ("public",),
        (),
        extensions=(_extension("pg_trgm", "1.6"), _extension(hostile, "1.0")),
    )
    result = diff_catalogs(a, b)
    assert not result.is_empty and result.tables == ()
    assert result.object_counts() == {"added": 1, "removed": 0, "changed": 1, "renamed": 0}
    text = render_text(result)
    assert "\x1b" not in text
    assert text == (
        "extensions\n"
        f"  + extension {visible(hostile)} added  version 1.0 in schema extensions\n"
        "  ~ extension pg_trgm changed\n"
        "      version: 1.5 -> 1.6\n"
        "\n"
        "2 other objects differ: 1 added, 1 changed\n"
    )
    data = diff_to_data(result)
    assert data["equal"] is False
    assert [(o["object_kind"], o["name"], o["kind"]) for o in data["objects"]] == [
        ("extension", hostile, "added"),
        ("extension", "pg_trgm", "changed"),
    ]
    json.dumps(data)  # JSON-able as it is
