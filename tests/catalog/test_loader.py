"""The bulk loader against real servers: content, fixed query count, read-only transactions."""

from __future__ import annotations

import asyncio
import gc
import re
from typing import Any

import asyncpg
import msgspec
import pytest

from ehgtui.catalog.loader import CatalogError, load_catalog
from ehgtui.catalog.model import Catalog, Column, ForeignKeyRef, Privilege
from ehgtui.catalog.queries import QUERIES_PER_LOAD
from ehgtui.db.pool import create_pool
from ehgtui.db.read_only_session import read_only
from ehgtui.db.settings import ConnectionTarget
from tests.pg import TestServer


async def _load(pg: TestServer, database: str, schemas: tuple[str, ...] = ("public",)) -> Catalog:
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        return await load_catalog(pool, schemas)
    finally:
        await pool.close()


def _many_tables_sql(count: int) -> str:
    parts = ["CREATE TABLE hub (id int PRIMARY KEY);"]
    for i in range(count):
        parts.append(
            f"CREATE TABLE t{i} (id int PRIMARY KEY, hub_id int REFERENCES hub(id), note text);"
            f"CREATE INDEX t{i}_note ON t{i}(note);"
            f"ALTER TABLE t{i} ENABLE ROW LEVEL SECURITY;"
            f"CREATE POLICY p{i} ON t{i} FOR SELECT USING (true);"
        )
    return "\n".join(parts)


def _executed_statements(pg: TestServer, database: str) -> list[str]:
    log = (pg.server.data_dir / "server.log").read_text(errors="replace")
    pattern = re.compile(
        rf"^\S+ \S+ \S+ \[\d+\] {re.escape(database)} ehgtui: LOG:  execute ", re.M
    )
    return pattern.findall(log)


async def test_query_count_does_not_grow_with_tables(pg: TestServer) -> None:
    small = pg.create_database("few", _many_tables_sql(5))
    large = pg.create_database("many", _many_tables_sql(300))
    small_catalog = await _load(pg, small)
    large_catalog = await _load(pg, large)
    assert len(small_catalog.tables) == 6 and len(large_catalog.tables) == 301
    # counted on the server, from its statement log: one line per executed statement
    assert len(_executed_statements(pg, small)) == QUERIES_PER_LOAD
    assert len(_executed_statements(pg, large)) == QUERIES_PER_LOAD
    assert QUERIES_PER_LOAD <= 12
    t7 = large_catalog.table("t7")
    assert t7 is not None
    assert [c.name for c in t7.columns] == ["id", "hub_id", "note"]
    assert {i.name for i in t7.indexes} == {"t7_pkey", "t7_note"}
    assert [p.name for p in t7.policies] == ["p7"] and t7.rls_enabled
    hub = large_catalog.table("public.hub")
    assert hub is not None and len(hub.referenced_by) == 300
    # the records stay out of the cycle collector's lists, so that a full collection does not
    # walk the whole catalog (model.Record)
    records = [t7, *t7.columns, *t7.indexes, *t7.policies, *t7.constraints, *hub.referenced_by]
    assert not any(gc.is_tracked(record) for record in records)


async def test_catalog_queries_run_read_only(pg: TestServer) -> None:
    database = pg.create_database("ro", "CREATE TABLE victim (id int);")
    pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        async with read_only(pool) as conn:
            with pytest.raises(asyncpg.ReadOnlySQLTransactionError):
                await conn.execute("INSERT INTO victim VALUES (1)")
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM victim") == 0
    finally:
        await pool.close()
    log = (pg.server.data_dir / "server.log").read_text(errors="replace")
    begins = re.findall(rf"{database} ehgtui: LOG:  statement: (BEGIN[^\n]*)", log)
    assert begins and all("READ ONLY" in b for b in begins)


async def test_other_schemas_and_referenced_by_across_schemas(pg: TestServer) -> None:
    database = pg.create_database(
        "xs",
        """
        CREATE SCHEMA app;
        CREATE TABLE public.parent (id uuid PRIMARY KEY);
        CREATE TABLE app.child (id int, parent_id uuid REFERENCES public.parent(id)
                                ON DELETE CASCADE);
        """,
    )
    only_public = await _load(pg, database)
    assert [t.name for t in only_public.tables] == ["parent"]
    ref = only_public.tables[0].referenced_by
    assert [(r.schema, r.table, r.on_delete) for r in ref] == [("app", "child", "CASCADE")]
    both = await _load(pg, database, ("public", "app"))
    child = both.table("app.child")
    assert child is not None
    fk = child.foreign_keys[0]
    assert (fk.ref_schema, fk.ref_table, fk.ref_columns, fk.on_delete) == (
        "public",
        "parent",
        ("id",),
        "CASCADE",
    )


async def test_key_columns_are_named_by_attnum_in_every_case(pg: TestServer) -> None:
    """Index and constraint keys come as attnums, named from the loaded columns, or by the
    server for tables outside the loaded schemas: both paths, with a dropped column's gap, key
    order unlike column order, an expression key and INCLUDE columns."""
    database = pg.create_database(
        "keys",
        """
        CREATE SCHEMA other;
        CREATE TABLE other.target (a int, b int, PRIMARY KEY (b, a));
        CREATE TABLE public.u (p int, q int, UNIQUE (q, p));
        CREATE TABLE public.t (x int, dropped int, y int, z text, w int);
        ALTER TABLE public.t DROP COLUMN dropped;
        ALTER TABLE public.t ADD CONSTRAINT t_other FOREIGN KEY (y, x)
            REFERENCES other.target (b, a);
        ALTER TABLE public.t ADD CONSTRAINT t_u FOREIGN KEY (w, y) REFERENCES public.u (q, p);
        CREATE UNIQUE INDEX t_expr ON public.t (y, lower(z), x) INCLUDE (w);
        CREATE TABLE other.src (m int, n int, FOREIGN KEY (n, m) REFERENCES public.u (q, p));
        """,
    )
    for schemas in (("public",), ("public", "other")):
        catalog = await _load(pg, database, schemas)
        t, u = catalog.table("public.t"), catalog.table("public.u")
        assert t is not None and u is not None
        index = next(i for i in t.indexes if i.name == "t_expr")
        assert index.columns == ("y", "lower(z)", "x")
        assert "INCLUDE (w)" in index.definition
        keys = {c.name: (c.columns, c.ref_columns) for c in t.constraints}
        assert keys["t_other"] == (("y", "x"), ("b", "a"))
        assert keys["t_u"] == (("w", "y"), ("q", "p"))
        assert [c.columns for c in u.constraints if c.kind == "UNIQUE"] == [("q", "p")]
        refs = {(r.schema, r.table): (r.columns, r.ref_columns) for r in u.referenced_by}
        assert refs == {
            ("other", "src"): (("n", "m"), ("q", "p")),
            ("public", "t"): (("w", "y"), ("q", "p")),
        }


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE arrived (id int PRIMARY KEY, note text UNIQUE)",
        "ALTER TABLE base ADD COLUMN extra int UNIQUE",
    ],
    ids=["new-table", "new-column"],
)
async def test_ddl_between_the_queries_is_seen_whole(
    pg: TestServer, ddl: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A migration applied while the bulk queries run: the relations query misses it and the
    others see it. The load is made again (16 statements) and shows the finished change."""
    from ehgtui.catalog import loader, queries

    database = pg.create_database(
        f"moved_{ddl.split()[0].lower()}", "CREATE TABLE base (id int PRIMARY KEY);"
    )
    applied = asyncio.Event()
    real_fetch = loader.fetch_read_only

    async def racing_fetch(
        pool: asyncpg.Pool, sql: str, *args: object, **kwargs: Any
    ) -> list[asyncpg.Record]:
        if sql == queries.RELATIONS:
            rows = await real_fetch(pool, sql, *args, **kwargs)
            if not applied.is_set():  # once: the retry runs undisturbed
                conn = await asyncpg.connect(pg.dsn(database))
                try:
                    await conn.execute(ddl)
                finally:
                    await conn.close()
                applied.set()
            return rows
        await applied.wait()
        return await real_fetch(pool, sql, *args, **kwargs)

    monkeypatch.setattr(loader, "fetch_read_only", racing_fetch)
    catalog = await _load(pg, database)
    if "arrived" in ddl:
        arrived = catalog.table("arrived")
        assert arrived is not None
        assert {i.name: i.columns for i in arrived.indexes} == {
            "arrived_pkey": ("id",),
            "arrived_note_key": ("note",),
        }
    else:
        base = catalog.table("base")
        assert base is not None
        assert [c.name for c in base.columns] == ["id", "extra"]
        assert {k.name: k.columns for k in base.constraints} == {
            "base_pkey": ("id",),
            "base_extra_key": ("extra",),
        }


def test_a_failed_load_freezes_nothing_and_a_finished_one_freezes_its_objects() -> None:
    from ehgtui.catalog.loader import gc_paused

    frozen = gc.get_freeze_count()
    with pytest.raises(RuntimeError), gc_paused():
        garbage: list[object] = []
        garbage.append(garbage)  # a cycle only the collector can free
        raise RuntimeError("the load failed")
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    with gc_paused():
        kept = [object() for _ in range(100)]
    assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(kept)
    gc.unfreeze()


@pytest.mark.parametrize("query", ["columns", "constraints", "indexes", "relations"])
async def test_rows_of_another_shape_are_refused(pg: TestServer, query: str) -> None:
    """The builders unpack rows by position: rows whose fields differ are refused, and every
    query's fields are exactly the ones its builder unpacks."""
    from ehgtui.catalog import builders, queries, table_heads

    fields, make = {
        "columns": (builders.COLUMN_FIELDS, lambda rows: builders.build("columns", rows)),
        "constraints": (
            builders.CONSTRAINT_FIELDS,
            lambda rows: builders.build("constraints", rows, {}),
        ),
        "indexes": (builders.INDEX_FIELDS, lambda rows: builders.build("indexes", rows, {})),
        "relations": (table_heads.RELATION_FIELDS, table_heads.table_heads),
    }[query]
    conn = await asyncpg.connect(pg.dsn())
    try:
        shifted = ", ".join(f"NULL AS {name}" for name in reversed(fields))
        rows = await conn.fetch(f"SELECT {shifted}")
        statement = await conn.prepare(queries.BULK_QUERIES[query])
        assert tuple(a.name for a in statement.get_attributes()) == fields
    finally:
        await conn.close()
    with pytest.raises(CatalogError, match=f"{query} query's fields changed"):
        make(rows)


def test_each_column_value_lands_in_its_field() -> None:
    """`_columns` builds Column records positionally: every value must reach its own field."""
    from ehgtui.catalog.builders import COLUMN_FIELDS, _columns

    class Row(tuple[object, ...]):
        def keys(self) -> tuple[str, ...]:
            return COLUMN_FIELDS

    # fmt: off
    rows = [  # the query's fields, in COLUMN_FIELDS order: an identity and a generated column
        # (storage is sent only when it is not the type's, grants only when there are some)
        Row((7, "id", 1, "bigint", "pg_catalog", "b", None, None, True, None, "a", "", None,
             None, "the key", True, "t_id_not_null", ["anon=r/postgres"])),
        Row((7, "total", 3, "label[]", "app", "e", "label", ["x", "y"], False, "(a + b)", "",
             "s", '"C"', "m", None, False, None, None)),
    ]
    expected = [  # by field name, so that a reordered model cannot hide a swap
        dict(name="id", position=1, data_type="bigint", type_schema="pg_catalog",
             type_kind="base", element_type=None, enum_values=(), not_null=True, default=None,
             identity="ALWAYS", generated=None, generated_kind=None, collation=None,
             storage=None, comment="the key", is_local=True, not_null_name="t_id_not_null",
             acl=("anon=r/postgres",)),
        dict(name="total", position=3, data_type="label[]", type_schema="app",
             type_kind="enum", element_type="label", enum_values=("x", "y"), not_null=False,
             default=None, identity=None, generated="(a + b)", generated_kind="STORED",
             collation='"C"', storage="MAIN", comment=None, is_local=False, not_null_name=None,
             acl=()),
    ]
    # fmt: on
    built = _columns(rows)[7]
    assert [msgspec.structs.asdict(c) for c in built] == expected


def test_each_constraint_and_index_value_lands_in_its_field() -> None:
    """Constraints and indexes are built positionally too: each value in its own field."""
    from ehgtui.catalog.builders import CONSTRAINT_FIELDS, INDEX_FIELDS, build

    def rows(fields: tuple[str, ...], *values: tuple[object, ...]) -> list[tuple[object, ...]]:
        class Row(tuple[object, ...]):
            def keys(self) -> tuple[str, ...]:
                return fields

        return [Row(v) for v in values]

    names = {7: ["id", "a", "b"], 8: ["ref_id"]}
    # fmt: off
    constraints, referenced_by = build("constraints", rows(
        CONSTRAINT_FIELDS,  # a foreign key with every option, then a primary key
        (7, "s", "t", "t_fk", "f", "FOREIGN KEY (a, b) ...", "2 3", None, True, False, False,
         True, None, "s", "u", 8, "1", None, "c", "n", "f", True, "why", None),
        (7, "s", "t", "t_pkey", "p", "PRIMARY KEY (id)", "1", None, False, False, True, False,
         "t_pkey", None, None, 0, None, None, " ", " ", " ", True, None, "fillfactor='90'"),
    ), names)
    indexes = build("indexes", rows(
        INDEX_FIELDS,  # an expression index with an INCLUDE column, then a plain unique one
        (7, "t_x", "CREATE INDEX t_x ...", "0 2 3", 2, ["lower(x)", "a"], False, False, None,
         "(a > 0)", "gist", 16384, False, True, False, "why"),
        (7, "t_a", "CREATE UNIQUE INDEX t_a ...", "2", 1, None, True, False, "t_a_key", None,
         "btree", 8192, True, False, True, None),
    ), names)
    # fmt: on
    assert [msgspec.structs.asdict(c) for c in constraints[7]] == [
        dict(
            name="t_fk",
            kind="FOREIGN KEY",
            definition="FOREIGN KEY (a, b) ...",
            columns=("a", "b"),
            deferrable=True,
            deferred=False,
            validated=False,
            is_local=True,
            index_name=None,
            ref_schema="s",
            ref_table="u",
            ref_columns=("ref_id",),
            on_update="CASCADE",
            on_delete="SET NULL",
            match="FULL",
            comment="why",
            index_options=None,
        ),
        dict(
            name="t_pkey",
            kind="PRIMARY KEY",
            definition="PRIMARY KEY (id)",
            columns=("id",),
            deferrable=False,
            deferred=False,
            validated=True,
            is_local=False,
            index_name="t_pkey",
            ref_schema=None,
            ref_table=None,
            ref_columns=(),
            on_update=None,
            on_delete=None,
            match=None,
            comment=None,
            index_options="fillfactor='90'",
        ),
    ]  # fmt: skip
    assert [r.constraint_name for r in referenced_by[("s", "u")]] == ["t_fk"]
    assert [msgspec.structs.asdict(i) for i in indexes[7]] == [
        dict(name="t_a", definition="CREATE UNIQUE INDEX t_a ...", columns=("a",),
             is_unique=True, is_primary=False, constraint_name="t_a_key", predicate=None,
             method="btree", size_bytes=8192, is_valid=True, is_inherited=False,
             is_replica_identity=True, comment=None),
        dict(name="t_x", definition="CREATE INDEX t_x ...", columns=("lower(x)", "a"),
             is_unique=False, is_primary=False, constraint_name=None, predicate="(a > 0)",
             method="gist", size_bytes=16384, is_valid=False, is_inherited=True,
             is_replica_identity=False, comment="why"),
    ]  # fmt: skip


def test_each_relation_value_lands_in_its_field() -> None:
    """Tables are built positionally from the relations row (`table_heads`) and the other
    queries' objects (`assemble`): every value must reach its own field, and tables come
    sorted by schema and name whatever order the rows arrive in."""
    from ehgtui.catalog.assemble import assemble
    from ehgtui.catalog.builders import build
    from ehgtui.catalog.table_heads import RELATION_FIELDS, table_heads

    class Row(tuple[object, ...]):
        def keys(self) -> tuple[str, ...]:
            return RELATION_FIELDS

    # fmt: off
    rows = [  # RELATION_FIELDS order: a partition, then a table that inherits from two
        Row((9, "s", "part", "r", "me", "a part", True, False, 10, 8192, "u", "f",
             ["fillfactor=70"], None, "FOR VALUES IN (1)", ["s.parent"], True, None,
             ["anon=r/me"], ["id"])),
        Row((8, "s", "child", "p", "you", None, False, True, -1, 0, "p", "i", None,
             "RANGE (at)", None, ["s.a", "s.b"], False, None, None, ["id"])),
    ]
    server = {"version": "18.0", "version_num": 180000, "database": "db",
              "current_user": "me", "read_only": False, "missing_schemas": []}
    # fmt: on
    column = Column(
        name="id",
        position=1,
        data_type="int",
        type_schema="pg_catalog",
        type_kind="base",
        element_type=None,
        enum_values=(),
        not_null=True,
        default=None,
        identity=None,
        generated=None,
        generated_kind=None,
        collation=None,
        storage=None,
        comment=None,
    )  # fmt: skip
    reference = ForeignKeyRef(
        schema="s",
        table="child",
        constraint_name="fk",
        columns=("id",),
        ref_columns=("id",),
        on_delete="CASCADE",
        on_update="NO ACTION",
    )
    catalog = assemble(
        {
            "server": [server],
            "relations": table_heads(rows),
            # the other queries' objects: stand-ins, one of each, to see where each lands
            "columns": {9: [column]},
            "indexes": {9: ["an index"]},
            "policies": {9: ["a policy"]},
            "triggers": {9: ["a trigger"]},
            "constraints": ({9: ["a constraint"]}, {("s", "part"): [reference]}),
            "sequences": [],
            "functions": [],
            "types": [],
            "objects": build("objects", []),
            "uses": build("uses", []),
        },
        ["s"],
        0.0,
    )
    assert [t.name for t in catalog.tables] == ["child", "part"]
    child, part = (msgspec.structs.asdict(t) for t in catalog.tables)
    assert part == dict(
        oid=9, schema="s", name="part", kind="table", owner="me", comment="a part",
        rls_enabled=True, rls_forced=False, row_estimate=10, size_bytes=8192,
        persistence="unlogged", replica_identity="FULL", options=("fillfactor=70",),
        partition_key=None, partition_of="s.parent", partition_bound="FOR VALUES IN (1)",
        inherits=(), view_definition=None, columns=(column,), constraints=("a constraint",),
        indexes=("an index",), policies=("a policy",), triggers=("a trigger",),
        privileges=(Privilege(grantee="anon", privilege="SELECT", grantable=False, grantor="me"),),
        referenced_by=(reference,),
    )  # fmt: skip
    assert child == dict(
        oid=8, schema="s", name="child", kind="partitioned table", owner="you", comment=None,
        rls_enabled=False, rls_forced=True, row_estimate=-1, size_bytes=0,
        persistence="permanent", replica_identity="INDEX", options=(), partition_key="RANGE (at)",
        partition_of=None, partition_bound=None, inherits=("s.a", "s.b"), view_definition=None,
        columns=(), constraints=(), indexes=(), policies=(), triggers=(), privileges=(),
        referenced_by=(),
    )  # fmt: skip
