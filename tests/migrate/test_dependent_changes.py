"""Round trips of changes that PostgreSQL only accepts with their dependents handled, on the
small schema (`tests.migrate.small`), on 18 and 15:

- the NOT NULL constraint's name (PostgreSQL 18 keeps NOT NULL as a named constraint, named
  after the table and column at the time it was made, and a later rename of either keeps it):
  the migration must give each one B's name, whatever order B's changes came in;
- a column type change under a policy that reads the column (PostgreSQL refuses it while the
  policy exists): the policy is dropped before and created again after;
- a primary key or unique constraint re-created while foreign keys reference it (they depend
  on its index): the foreign keys are dropped before and created again after.

Each case checks the round trip (dump of A equals B's, the catalog diff is empty) and, where
the writer adds statements of its own, that they are there, in order, with their hazard.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from ehgtui.catalog.model import Catalog
from ehgtui.migrate import HazardKind, Migration
from tests.migrate.roundtrip import Change, ClonePool, RoundTrip, round_trip
from tests.migrate.small import drop_databases, load_small, small_copy
from tests.pg import TestServer


@pytest.fixture(scope="module")
async def small_before(pg: TestServer) -> Catalog:
    database = small_copy(pg)
    try:
        return await load_small(pg, database)
    finally:
        drop_databases(pg, database)


@pytest.fixture(scope="module")
def small_copies(pg: TestServer) -> Iterator[ClonePool]:
    copies = ClonePool(pg, make=small_copy)
    yield copies
    copies.close()


async def _round_trip(copies: ClonePool, before: Catalog, change: Change) -> RoundTrip:
    if copies.pg.major < change.min_major:
        pytest.skip(f"needs PostgreSQL {change.min_major}")
    result = await round_trip(copies, before, change.sql, change.options, whole_dump=True)
    assert not result.migration.is_empty, "the change made no statement"
    assert result.residual.is_empty, (result.sql, result.residual.tables)
    assert result.dump_a == result.dump_b, result.sql
    return result


def _index(migration: Migration, fragment: str) -> int:
    """Where the (only) statement containing `fragment` runs."""
    found = [i for i, s in enumerate(migration.statements) if fragment in s.sql]
    assert len(found) == 1, (fragment, [s.sql for s in migration.statements])
    return found[0]


# ---------------------------------------------------------------- NOT NULL names

NOT_NULL_NAMES = (
    Change(
        "set not null then rename the table",
        "ALTER TABLE public.owners ALTER COLUMN bio SET NOT NULL;"
        " ALTER TABLE public.owners RENAME TO people;",
    ),
    Change(
        "rename the table then set not null",
        "ALTER TABLE public.owners RENAME TO people;"
        " ALTER TABLE public.people ALTER COLUMN bio SET NOT NULL;",
    ),
    Change(
        "set not null then rename the column",
        "ALTER TABLE public.owners ALTER COLUMN bio SET NOT NULL;"
        " ALTER TABLE public.owners RENAME COLUMN bio TO about;",
    ),
    Change(
        "add a not null column then rename the table",
        "ALTER TABLE public.tags ADD COLUMN rank integer NOT NULL DEFAULT 0;"
        " ALTER TABLE public.tags RENAME TO labels;",
    ),
    Change(
        "rename a not null constraint",
        "ALTER TABLE public.owners RENAME CONSTRAINT owners_name_not_null TO name_required;",
        min_major=18,
    ),
    Change(
        "re-create a not null constraint under another name",
        "ALTER TABLE public.items ALTER COLUMN title DROP NOT NULL;"
        " ALTER TABLE public.items ADD CONSTRAINT title_required NOT NULL title;",
        min_major=18,
    ),
)


@pytest.mark.parametrize("change", NOT_NULL_NAMES, ids=[c.id for c in NOT_NULL_NAMES])
async def test_not_null_constraints_get_b_names(
    small_copies: ClonePool, small_before: Catalog, change: Change
) -> None:
    await _round_trip(small_copies, small_before, change)


async def test_a_not_null_constraint_renamed_is_renamed_not_dropped(
    small_copies: ClonePool, small_before: Catalog
) -> None:
    result = await _round_trip(small_copies, small_before, NOT_NULL_NAMES[4])
    assert [s.sql for s in result.migration.statements] == [
        "ALTER TABLE public.owners RENAME CONSTRAINT owners_name_not_null TO name_required;"
    ]


# ---------------------------------------------------------------- policies, triggers and keys

EXTENDED = """
CREATE POLICY owners_with_items ON public.owners FOR SELECT TO authenticated
    USING (id IN (SELECT owner_id FROM public.items WHERE qty > 0));
CREATE TRIGGER items_code_changed BEFORE UPDATE OF code ON public.items
    FOR EACH ROW EXECUTE FUNCTION public.touch();
CREATE TRIGGER items_priced BEFORE INSERT ON public.items
    FOR EACH ROW WHEN (NEW.price > 0) EXECUTE FUNCTION public.touch();
CREATE TABLE public.item_tags (
    item_id bigint REFERENCES public.items (id) ON DELETE CASCADE,
    tag_id integer REFERENCES public.tags (id),
    PRIMARY KEY (item_id, tag_id)
);
ALTER TABLE public.audit_log ADD COLUMN by_email varchar(100) REFERENCES public.owners (email);
"""
"""Side A of these cases: the small schema plus a policy reading another table's column,
triggers naming columns, and foreign keys onto a primary key and a unique constraint."""

OWNERS_WITH_ITEMS = (
    "CREATE POLICY owners_with_items ON public.owners FOR SELECT TO authenticated"
    " USING (id IN (SELECT owner_id FROM public.items WHERE qty > 0));"
)
ITEMS_WRITE = (
    "CREATE POLICY items_write ON public.items FOR INSERT TO authenticated WITH CHECK (qty < 1000);"
)


@dataclass(frozen=True)
class Around:
    """A change B made by dropping objects and creating them again around it."""

    change: Change
    first: str
    """A fragment of the statement that must come first (a drop)..."""
    then: str
    """...of the change itself..."""
    last: str
    """...and of the re-creation."""
    hazard: HazardKind
    target: str
    """The target of the statement carrying the hazard of the re-creation."""
    reason: str


AROUND = (
    Around(
        Change(
            "retype a column policies read, one on another table",
            "DROP POLICY owners_with_items ON public.owners;"
            " DROP POLICY items_write ON public.items;"
            " ALTER TABLE public.items ALTER COLUMN qty TYPE bigint;"
            f" {OWNERS_WITH_ITEMS} {ITEMS_WRITE}",
        ),
        "DROP POLICY owners_with_items ON public.owners;",
        "ALTER COLUMN qty TYPE bigint",
        "CREATE POLICY owners_with_items ON public.owners",
        HazardKind.SECURITY,
        "public.owners.owners_with_items",
        "public.items.qty changes type or goes",
    ),
    Around(
        Change(
            "retype a column an UPDATE OF trigger names",
            "DROP TRIGGER items_code_changed ON public.items;"
            " ALTER TABLE public.items ALTER COLUMN code TYPE varchar(40);"
            " CREATE TRIGGER items_code_changed BEFORE UPDATE OF code ON public.items"
            " FOR EACH ROW EXECUTE FUNCTION public.touch();",
        ),
        "DROP TRIGGER items_code_changed ON public.items;",
        "ALTER COLUMN code TYPE character varying(40)",
        "CREATE TRIGGER items_code_changed",
        HazardKind.SECURITY,
        "public.items.items_code_changed",
        "it does not fire in between",
    ),
    Around(
        Change(
            "retype a column a trigger's WHEN reads",
            "DROP TRIGGER items_priced ON public.items;"
            " ALTER TABLE public.items ALTER COLUMN price TYPE numeric(12,2);"
            " CREATE TRIGGER items_priced BEFORE INSERT ON public.items"
            " FOR EACH ROW WHEN (NEW.price > 0) EXECUTE FUNCTION public.touch();",
        ),
        "DROP TRIGGER items_priced ON public.items;",
        "ALTER COLUMN price TYPE numeric(12,2)",
        "CREATE TRIGGER items_priced",
        HazardKind.SECURITY,
        "public.items.items_priced",
        "public.items.price changes type or goes",
    ),
    Around(
        Change(
            "re-create a primary key a foreign key uses",
            "ALTER TABLE public.item_tags DROP CONSTRAINT item_tags_item_id_fkey;"
            " ALTER TABLE public.items DROP CONSTRAINT items_pkey;"
            " ALTER TABLE public.items ADD CONSTRAINT items_pkey PRIMARY KEY (id)"
            " INCLUDE (title);"
            " ALTER TABLE public.item_tags ADD CONSTRAINT item_tags_item_id_fkey"
            " FOREIGN KEY (item_id) REFERENCES public.items (id) ON DELETE CASCADE;",
        ),
        "DROP CONSTRAINT item_tags_item_id_fkey",
        "DROP CONSTRAINT items_pkey",
        "ADD CONSTRAINT item_tags_item_id_fkey",
        HazardKind.REWRITE,
        "public.item_tags.item_tags_item_id_fkey",
        "the key of public.items is re-created",
    ),
    Around(
        Change(
            "re-create a unique constraint a foreign key uses",
            "ALTER TABLE public.audit_log DROP CONSTRAINT audit_log_by_email_fkey;"
            " ALTER TABLE public.owners DROP CONSTRAINT owners_email_key;"
            " ALTER TABLE public.owners ADD CONSTRAINT owners_email_key"
            " UNIQUE NULLS NOT DISTINCT (email);"
            " ALTER TABLE public.audit_log ADD CONSTRAINT audit_log_by_email_fkey"
            " FOREIGN KEY (by_email) REFERENCES public.owners (email);",
        ),
        "DROP CONSTRAINT audit_log_by_email_fkey",
        "DROP CONSTRAINT owners_email_key",
        "ADD CONSTRAINT audit_log_by_email_fkey",
        HazardKind.REWRITE,
        "public.audit_log.audit_log_by_email_fkey",
        "the key of public.owners is re-created",
    ),
    Around(
        Change(
            "move a primary key while a foreign key keeps its columns unique",
            "ALTER TABLE public.item_tags DROP CONSTRAINT item_tags_tag_id_fkey;"
            " ALTER TABLE public.tags DROP CONSTRAINT tags_pkey;"
            " ALTER TABLE public.tags ADD CONSTRAINT tags_id_key UNIQUE (id);"
            " ALTER TABLE public.tags ADD CONSTRAINT tags_pkey PRIMARY KEY (id, label);"
            " ALTER TABLE public.item_tags ADD CONSTRAINT item_tags_tag_id_fkey"
            " FOREIGN KEY (tag_id) REFERENCES public.tags (id);",
        ),
        "DROP CONSTRAINT item_tags_tag_id_fkey",
        "DROP CONSTRAINT tags_pkey",
        "ADD CONSTRAINT item_tags_tag_id_fkey",
        HazardKind.REWRITE,
        "public.item_tags.item_tags_tag_id_fkey",
        "the key of public.tags is re-created",
    ),
)


@pytest.fixture(scope="module")
async def extended_before(pg: TestServer) -> Catalog:
    database = small_copy(pg, sql=EXTENDED)
    try:
        return await load_small(pg, database)
    finally:
        drop_databases(pg, database)


@pytest.fixture(scope="module")
def extended_copies(pg: TestServer) -> Iterator[ClonePool]:
    copies = ClonePool(pg, make=lambda server: small_copy(server, sql=EXTENDED))
    yield copies
    copies.close()


@pytest.mark.parametrize("case", AROUND, ids=[c.change.id for c in AROUND])
async def test_what_is_in_the_way_is_dropped_before_and_created_after(
    extended_copies: ClonePool, extended_before: Catalog, case: Around
) -> None:
    result = await _round_trip(extended_copies, extended_before, case.change)
    migration = result.migration
    assert (
        _index(migration, case.first) < _index(migration, case.then) < _index(migration, case.last)
    ), result.sql
    assert any(
        s.target == case.target and h.kind is case.hazard and case.reason in h.reason
        for s, h in migration.hazards
    ), [(s.target, h) for s, h in migration.hazards]


# ---------------------------------------------------------------- what follows by itself

FOLLOWS = (
    (
        Change("rename a referenced table", "ALTER TABLE public.owners RENAME TO people;"),
        ["ALTER TABLE public.owners RENAME TO people;"],
    ),
    (
        Change(
            "rename a referenced column",
            "ALTER TABLE public.owners RENAME COLUMN id TO owner_key;",
        ),
        ["ALTER TABLE public.owners RENAME COLUMN id TO owner_key;"],
    ),
    (
        Change(
            "rename a column a unique key is on",
            "ALTER TABLE public.owners RENAME COLUMN email TO mail;",
        ),
        ["ALTER TABLE public.owners RENAME COLUMN email TO mail;"],
    ),
    (
        Change("index storage parameter", "ALTER INDEX public.items_title SET (fillfactor = 70);"),
        ["ALTER INDEX public.items_title SET (fillfactor = '70');"],
    ),
    (
        Change(
            "primary key storage parameter",
            "ALTER INDEX public.owners_pkey SET (fillfactor = 80);",
        ),
        ["ALTER INDEX public.owners_pkey SET (fillfactor = '80');"],
    ),
)
"""Changes whose consequences PostgreSQL carries by itself (a foreign key follows the renames
of what it references) or that one ALTER makes in place: exactly these statements, nothing
dropped and created again (which would check every row of the referencing table again)."""


@pytest.mark.parametrize(
    ("change", "statements"), FOLLOWS, ids=[change.id for change, _ in FOLLOWS]
)
async def test_what_follows_by_itself_is_not_re_created(
    small_copies: ClonePool, small_before: Catalog, change: Change, statements: list[str]
) -> None:
    result = await _round_trip(small_copies, small_before, change)
    assert [s.sql for s in result.migration.statements] == statements


# ---------------------------------------------------------------- a dropped table's keys


async def test_a_dropped_tables_foreign_key_goes_before_the_key_it_uses(
    small_copies: ClonePool, small_before: Catalog
) -> None:
    """items goes, and owners' primary key (which items' foreign key uses) is made again:
    the key's drop fails while the foreign key exists, so it goes first (not re-created)."""
    result = await _round_trip(
        small_copies,
        small_before,
        Change(
            "drop a referencing table and re-create the key it used",
            "DROP TABLE public.items CASCADE;"
            " ALTER TABLE public.owners DROP CONSTRAINT owners_pkey;"
            " ALTER TABLE public.owners ADD CONSTRAINT owners_pkey PRIMARY KEY (id, name);",
        ),
    )
    migration = result.migration
    assert (
        _index(migration, "DROP CONSTRAINT items_owner_id_fkey")
        < _index(migration, "DROP CONSTRAINT owners_pkey")
        < _index(migration, "DROP TABLE public.items")
    ), result.sql
    assert "ADD CONSTRAINT items_owner_id_fkey" not in result.sql
