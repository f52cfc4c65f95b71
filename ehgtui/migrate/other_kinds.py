"""Schemas, extensions, sequences and publications: created, dropped and altered.

- Schemas: `CREATE SCHEMA` first of all (the rest lives in them), dropped last; owner,
  comment and USAGE/CREATE grants.
- Extensions: `CREATE EXTENSION IF NOT EXISTS ... WITH SCHEMA` (and `VERSION` when B's is not
  the default one), `ALTER EXTENSION ... UPDATE TO`, `SET SCHEMA`, `DROP EXTENSION`.
- Sequences: `ALTER SEQUENCE` for their parameters, `OWNED BY` (given up before the column's
  drop would take the sequence with it), grants. A serial column's sequence comes and goes
  with its column or table, and an identity's is part of its column: neither is written
  here.
- Publications: `ALTER PUBLICATION` adds and drops tables (with their column lists and row
  filters: a changed one is dropped and added again), schemas, and sets what is published;
  tables are added once they exist, and dropped from it before they go.
"""

from __future__ import annotations

from ehgtui.catalog.model import Catalog, Extension, Publication, PublicationTable, Schema, Sequence
from ehgtui.ddl.access import SEQUENCE_PRIVILEGES, acl_change_statements, sequence_grant_statements
from ehgtui.ddl.objects import (
    PUBLIC_SCHEMA_ACL,
    publication_statements,
    schema_statements,
)
from ehgtui.ddl.quote import qualified, quote_ident, quote_literal
from ehgtui.ddl.sequences import create_sequence, owned_by, sequence_owner
from ehgtui.diff.model import SchemaObjectDiff
from ehgtui.migrate.context import Context
from ehgtui.migrate.kind_handler import (
    KindHandler,
    add_grants,
    comment_statement,
    fields_of,
    owner_change,
)
from ehgtui.migrate.plan import Hazard, HazardKind, Phase

# ---------------------------------------------------------------- schemas


def _find_schema(catalog: Catalog, name: str) -> Schema | None:
    return next((s for s in catalog.schema_objects if s.name == name), None)


def _create_schema(ctx: Context, schema: Schema) -> None:
    for statement in schema_statements(schema, ctx.ddl_options):
        if statement.startswith("CREATE "):
            ctx.add(Phase.CREATE_OBJECTS, statement, target=schema.name)
        elif statement.startswith("COMMENT "):
            ctx.add(Phase.COMMENTS, statement)
        else:
            add_grants(ctx, [statement], schema.name, Phase.SECURITY)


def _drop_schema(ctx: Context, schema: Schema, phase: Phase) -> None:
    ctx.add(phase, f"DROP SCHEMA {quote_ident(schema.name)};", target=schema.name)


def _schema_default_acl(schema: Schema) -> tuple[str, ...]:
    if schema.name == "public":
        return PUBLIC_SCHEMA_ACL
    return (f"{schema.owner}=UC/{schema.owner}",)


def _alter_schema(ctx: Context, old: Schema, new: Schema, change: SchemaObjectDiff) -> bool:
    fields = fields_of(change)
    target = f"SCHEMA {quote_ident(new.name)}"
    if "owner" in fields:
        owner_change(ctx, target, new.name, old.owner, new.owner)
    if "comment" in fields:
        comment_statement(ctx, target, new.comment)
    if fields & {"acl", "owner"}:
        statements = acl_change_statements(
            target,
            new.acl or _schema_default_acl(new),
            old.acl or _schema_default_acl(old),
            frozenset({"USAGE", "CREATE"}),
            skip=None if ctx.options.owners else new.owner,
        )
        add_grants(ctx, statements, new.name, Phase.SECURITY)
    return True


SCHEMA_HANDLER = KindHandler(_find_schema, _create_schema, _drop_schema, _alter_schema)

# ---------------------------------------------------------------- extensions


def _find_extension(catalog: Catalog, name: str) -> Extension | None:
    return next((e for e in catalog.extensions if e.name == name), None)


def _create_extension(ctx: Context, extension: Extension) -> None:
    version = ""
    if extension.default_version is not None and extension.version != extension.default_version:
        version = f" VERSION {quote_literal(extension.version)}"
    ctx.add(
        Phase.CREATE_OBJECTS,
        f"CREATE EXTENSION IF NOT EXISTS {quote_ident(extension.name)}"
        f" WITH SCHEMA {quote_ident(extension.schema)}{version};",
        target=f"extension {extension.name}",
    )


def _drop_extension(ctx: Context, extension: Extension, phase: Phase) -> None:
    ctx.add(
        phase,
        f"DROP EXTENSION {quote_ident(extension.name)};",
        Hazard(
            HazardKind.DATA_LOSS,
            "drops the extension's own tables and data, if it has any (it fails while a"
            " column uses one of its types)",
        ),
        target=f"extension {extension.name}",
    )


def _alter_extension(
    ctx: Context, old: Extension, new: Extension, change: SchemaObjectDiff
) -> bool:
    fields = fields_of(change)
    name = quote_ident(new.name)
    if "schema" in fields:
        ctx.add(
            Phase.CREATE_OBJECTS, f"ALTER EXTENSION {name} SET SCHEMA {quote_ident(new.schema)};"
        )
    if "version" in fields:
        ctx.add(
            Phase.CREATE_OBJECTS,
            f"ALTER EXTENSION {name} UPDATE TO {quote_literal(new.version)};",
            target=f"extension {new.name}",
        )
    if "comment" in fields:
        comment_statement(ctx, f"EXTENSION {name}", new.comment)
    if "owner" in fields:
        ctx.note(f"extension {new.name}: owner {old.owner} -> {new.owner} (not written)")
    return True


EXTENSION_HANDLER = KindHandler(
    _find_extension, _create_extension, _drop_extension, _alter_extension
)

# ---------------------------------------------------------------- sequences


def _find_sequence(catalog: Catalog, name: str) -> Sequence | None:
    return next((s for s in catalog.sequences if f"{s.schema}.{s.name}" == name), None)


def _a_name(ctx: Context, b_name: str) -> str:
    """A's name of B's table `b_name` (renamed by the migration or not)."""
    return next((a for a, b in ctx.renamed_tables.items() if b == b_name), b_name)


def _comes_with_its_column(ctx: Context, seq: Sequence) -> bool:
    """B's serial sequence whose column (or table) the migration adds: it creates both."""
    if seq.owned_by_table is None or seq.owned_by_column is None:
        return False
    table = ctx.a.table(_a_name(ctx, seq.owned_by_table))
    return table is None or table.column(seq.owned_by_column) is None


def _goes_with_its_column(ctx: Context, seq: Sequence) -> bool:
    """A's sequence whose column (or table) the migration drops: the drop takes it."""
    if seq.owned_by_table is None or seq.owned_by_column is None:
        return False
    table = ctx.b.table(ctx.renamed_tables.get(seq.owned_by_table, seq.owned_by_table))
    return table is None or table.column(seq.owned_by_column) is None


def _create_sequence(ctx: Context, seq: Sequence) -> None:
    if seq.is_identity or _comes_with_its_column(ctx, seq):
        return
    target = f"{seq.schema}.{seq.name}"
    ctx.add(Phase.CREATE_OBJECTS, create_sequence(seq, ctx.ddl_options), target=target)
    if ctx.options.owners:
        ctx.add(Phase.SECURITY, sequence_owner(seq))
    table = ctx.b.table(seq.owned_by_table) if seq.owned_by_table else None
    if table is not None:
        ctx.add(Phase.TABLE_OPTIONS, owned_by(seq, table))
    grants = sequence_grant_statements(seq, with_owner=ctx.options.owners)
    add_grants(ctx, grants, target, Phase.SECURITY)


def _drop_sequence(ctx: Context, seq: Sequence, phase: Phase) -> None:
    if seq.is_identity or _goes_with_its_column(ctx, seq):
        return
    ctx.add(
        phase,
        f"DROP SEQUENCE {qualified(seq.schema, seq.name)};",
        target=f"{seq.schema}.{seq.name}",
    )


def _sequence_options(old: Sequence, new: Sequence) -> list[str]:
    options = []
    if new.data_type != old.data_type:
        options.append(f"AS {new.data_type}")
    if new.increment != old.increment:
        options.append(f"INCREMENT BY {new.increment}")
    if (new.data_type, new.increment, new.min_value, new.max_value) != (
        old.data_type,
        old.increment,
        old.min_value,
        old.max_value,
    ):
        options.append(f"MINVALUE {new.min_value} MAXVALUE {new.max_value}")
    if new.start != old.start:
        options.append(f"START WITH {new.start}")
    if new.cache != old.cache:
        options.append(f"CACHE {new.cache}")
    if new.cycle != old.cycle:
        options.append("CYCLE" if new.cycle else "NO CYCLE")
    return options


def _alter_sequence(ctx: Context, old: Sequence, new: Sequence, change: SchemaObjectDiff) -> bool:
    if old.is_identity or new.is_identity:
        return True  # its column's identity options say it (see columns.py)
    fields = fields_of(change)
    name = qualified(new.schema, new.name)
    target = f"{new.schema}.{new.name}"
    options = _sequence_options(old, new)
    if options:
        ctx.add(Phase.CREATE_OBJECTS, f"ALTER SEQUENCE {name} {' '.join(options)};", target=target)
    if "unlogged" in fields:
        logged = "UNLOGGED" if new.unlogged else "LOGGED"
        ctx.add(Phase.CREATE_OBJECTS, f"ALTER SEQUENCE {name} SET {logged};")
    if "owned_by" in fields:
        if old.owned_by_table is not None:
            # before the drops: a column (or table) dropped would take its sequence along
            ctx.add(Phase.DROP_DEPENDENTS, f"ALTER SEQUENCE {name} OWNED BY NONE;")
        table = ctx.b.table(new.owned_by_table) if new.owned_by_table else None
        if table is not None:
            ctx.add(Phase.TABLE_OPTIONS, owned_by(new, table))
    if "owner" in fields:
        owner_change(ctx, f"SEQUENCE {name}", target, old.owner, new.owner)
    if fields & {"acl", "owner"}:
        statements = acl_change_statements(
            f"SEQUENCE {name}",
            new.acl or (f"{new.owner}=rwU/{new.owner}",),
            old.acl or (f"{old.owner}=rwU/{old.owner}",),
            SEQUENCE_PRIVILEGES,
            skip=None if ctx.options.owners else new.owner,
        )
        add_grants(ctx, statements, target, Phase.SECURITY)
    return True


SEQUENCE_HANDLER = KindHandler(_find_sequence, _create_sequence, _drop_sequence, _alter_sequence)

# ---------------------------------------------------------------- publications


def _find_publication(catalog: Catalog, name: str) -> Publication | None:
    return next((p for p in catalog.publications if p.name == name), None)


def _create_publication(ctx: Context, publication: Publication) -> None:
    for statement in publication_statements(publication, ctx.ddl_options):
        phase = Phase.COMMENTS if statement.startswith("COMMENT ") else Phase.PUBLICATIONS
        ctx.add(phase, statement, target=f"publication {publication.name}")


def _drop_publication(ctx: Context, publication: Publication, phase: Phase) -> None:
    # early, whatever the phase asked: a publication holds no data and names tables that may go
    ctx.add(
        Phase.DROP_DEPENDENTS,
        f"DROP PUBLICATION {quote_ident(publication.name)};",
        target=f"publication {publication.name}",
    )


def _member(table: PublicationTable) -> str:
    text = qualified(table.schema, table.name)
    if table.columns:
        text += " (" + ", ".join(quote_ident(c) for c in table.columns) + ")"
    if table.row_filter is not None:
        text += f" WHERE ({table.row_filter})"
    return text


def _alter_publication(
    ctx: Context, old: Publication, new: Publication, change: SchemaObjectDiff
) -> bool:
    fields = fields_of(change)
    if "all_tables" in fields:
        return False
    name = quote_ident(new.name)
    target = f"publication {new.name}"
    if fields & {"operations", "via_root"}:
        settings = [f"publish = '{', '.join(new.operations)}'"]
        if new.via_root != old.via_root:
            settings.append(f"publish_via_partition_root = {str(new.via_root).lower()}")
        ctx.add(Phase.PUBLICATIONS, f"ALTER PUBLICATION {name} SET ({', '.join(settings)});")
    if "tables" in fields:
        before = {
            ctx.renamed_tables.get(f"{t.schema}.{t.name}", f"{t.schema}.{t.name}"): t
            for t in old.tables
        }
        after = {f"{t.schema}.{t.name}": t for t in new.tables}
        for table_name, table in before.items():
            later = after.get(table_name)
            if later is not None and (later.columns, later.row_filter) == (
                table.columns,
                table.row_filter,
            ):
                continue
            if ctx.b.table(table_name) is not None:  # else its drop takes it out
                ctx.add(
                    Phase.DROP_DEPENDENTS,
                    f"ALTER PUBLICATION {name} DROP TABLE {qualified(table.schema, table.name)};",
                    target=target,
                )
            if later is not None:
                ctx.add(
                    Phase.PUBLICATIONS,
                    f"ALTER PUBLICATION {name} ADD TABLE ONLY {_member(later)};",
                    target=target,
                )
        for table_name, table in after.items():
            if table_name not in before:
                ctx.add(
                    Phase.PUBLICATIONS,
                    f"ALTER PUBLICATION {name} ADD TABLE ONLY {_member(table)};",
                    target=target,
                )
    if "schemas" in fields:
        for schema in sorted(set(old.schemas) - set(new.schemas)):
            ctx.add(
                Phase.DROP_DEPENDENTS,
                f"ALTER PUBLICATION {name} DROP TABLES IN SCHEMA {quote_ident(schema)};",
            )
        for schema in sorted(set(new.schemas) - set(old.schemas)):
            ctx.add(
                Phase.PUBLICATIONS,
                f"ALTER PUBLICATION {name} ADD TABLES IN SCHEMA {quote_ident(schema)};",
            )
    if "owner" in fields:
        owner_change(ctx, f"PUBLICATION {name}", target, old.owner, new.owner)
    if "comment" in fields:
        comment_statement(ctx, f"PUBLICATION {name}", new.comment)
    return True


PUBLICATION_HANDLER = KindHandler(
    _find_publication, _create_publication, _drop_publication, _alter_publication
)
