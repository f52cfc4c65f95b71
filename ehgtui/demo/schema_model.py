"""A small model of the demo schema's tables, and its rendering to SQL.

The demo schema is built as data (one `TableSpec` per table) rather than as hand-written SQL
so that the planted defects can be applied to named tables and every other table stays
conventional by construction. Rendering follows pg_dump's order: all tables first, then the
foreign keys (so creation order never matters), indexes, triggers, RLS and policies.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

MAX_IDENTIFIER = 63
"""PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated, which could collide."""


def ident(name: str) -> str:
    """Return `name` if it fits PostgreSQL's identifier limit, else a stable shortened form."""
    if len(name) <= MAX_IDENTIFIER:
        return name
    digest = hashlib.md5(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_IDENTIFIER - 9]}_{digest}"


def literal(text: str) -> str:
    """Quote `text` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Column:
    """One column: its name, its type and any inline modifiers (NOT NULL, DEFAULT, ...)."""

    name: str
    sql_type: str
    modifiers: str = ""
    comment: str | None = None

    def render(self) -> str:
        """Return the column definition as it appears inside CREATE TABLE."""
        return f"{self.name} {self.sql_type} {self.modifiers}".rstrip()


@dataclass(frozen=True)
class ForeignKey:
    """A foreign key; `indexed` says whether an index covering its columns is created."""

    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...] = ("id",)
    on_delete: str | None = None
    on_update: str | None = None
    indexed: bool = True


@dataclass(frozen=True)
class Index:
    """An extra index: `expression` is what goes between the parentheses."""

    name: str
    expression: str
    unique: bool = False
    method: str | None = None
    where: str | None = None


@dataclass(frozen=True)
class Policy:
    """A row-level security policy."""

    name: str
    command: str  # ALL, SELECT, INSERT, UPDATE or DELETE
    roles: tuple[str, ...]
    using: str | None = None
    check: str | None = None
    permissive: bool = True


@dataclass(frozen=True)
class TableSpec:
    """Everything the demo creates for one table."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] | None = ("id",)
    uniques: tuple[tuple[str, ...], ...] = ()
    checks: tuple[tuple[str, str], ...] = ()
    """(constraint name suffix, expression) pairs."""
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()
    """Indexes besides the created_at index and the foreign-key indexes."""
    policies: tuple[Policy, ...] = ()
    rls_enabled: bool = True
    updated_at_function: str | None = "update_updated_at_column"
    updated_at_trigger: str = "set_updated_at"
    index_created_at: bool = True
    comment: str | None = None
    schema: str = "public"

    @property
    def qualified(self) -> str:
        """The schema-qualified table name."""
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column | None:
        """Return the column called `name`, if any."""
        return next((c for c in self.columns if c.name == name), None)


def uuid_pk() -> Column:
    """The conventional primary-key column."""
    return Column("id", "uuid", "NOT NULL DEFAULT gen_random_uuid()")


def timestamps() -> tuple[Column, Column]:
    """The conventional created_at / updated_at columns."""
    return (
        Column("created_at", "timestamp with time zone", "DEFAULT now()"),
        Column("updated_at", "timestamp with time zone", "DEFAULT now()"),
    )


def _fk_name(spec: TableSpec, fk: ForeignKey) -> str:
    return ident(f"{spec.name}_{'_'.join(fk.columns)}_fkey")


def fk_index_name(spec: TableSpec, fk: ForeignKey) -> str:
    """The name of the index the demo creates for a foreign key."""
    return ident(f"idx_{spec.name}_{'_'.join(fk.columns)}")


def render_table(spec: TableSpec) -> str:
    """Return CREATE TABLE with its primary key, unique and check constraints, and comments."""
    lines = [f"    {c.render()}" for c in spec.columns]
    if spec.primary_key:
        pk_name = ident(spec.name + "_pkey")
        lines.append(f"    CONSTRAINT {pk_name} PRIMARY KEY ({', '.join(spec.primary_key)})")
    for cols in spec.uniques:
        name = ident(f"{spec.name}_{'_'.join(cols)}_key")
        lines.append(f"    CONSTRAINT {name} UNIQUE ({', '.join(cols)})")
    for suffix, expr in spec.checks:
        lines.append(f"    CONSTRAINT {ident(f'{spec.name}_{suffix}_check')} CHECK ({expr})")
    out = [f"CREATE TABLE {spec.qualified} (\n" + ",\n".join(lines) + "\n);"]
    if spec.comment is not None:
        out.append(f"COMMENT ON TABLE {spec.qualified} IS {literal(spec.comment)};")
    for col in spec.columns:
        if col.comment is not None:
            out.append(f"COMMENT ON COLUMN {spec.qualified}.{col.name} IS {literal(col.comment)};")
    return "\n".join(out)


def render_foreign_keys(spec: TableSpec) -> str:
    """Return ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY for each foreign key."""
    out = []
    for fk in spec.foreign_keys:
        sql = (
            f"ALTER TABLE {spec.qualified} ADD CONSTRAINT {_fk_name(spec, fk)} "
            f"FOREIGN KEY ({', '.join(fk.columns)}) "
            f"REFERENCES {fk.ref_table}({', '.join(fk.ref_columns)})"
        )
        if fk.on_update:
            sql += f" ON UPDATE {fk.on_update}"
        if fk.on_delete:
            sql += f" ON DELETE {fk.on_delete}"
        out.append(sql + ";")
    return "\n".join(out)


def render_indexes(spec: TableSpec) -> str:
    """Return the created_at index, the foreign-key indexes and the extra indexes."""
    out = []
    if spec.index_created_at and spec.column("created_at") is not None:
        out.append(
            f"CREATE INDEX {ident(f'idx_{spec.name}_created_at')} "
            f"ON {spec.qualified} USING btree (created_at);"
        )
    for fk in spec.foreign_keys:
        if fk.indexed and not _covered_by_unique(spec, fk):
            out.append(
                f"CREATE INDEX {fk_index_name(spec, fk)} "
                f"ON {spec.qualified} USING btree ({', '.join(fk.columns)});"
            )
    for index in spec.indexes:
        unique = "UNIQUE " if index.unique else ""
        using = f" USING {index.method}" if index.method else " USING btree"
        where = f" WHERE {index.where}" if index.where else ""
        out.append(
            f"CREATE {unique}INDEX {ident(index.name)} ON {spec.qualified}{using} "
            f"({index.expression}){where};"
        )
    return "\n".join(out)


def _covered_by_unique(spec: TableSpec, fk: ForeignKey) -> bool:
    """Whether the primary key or a unique constraint already leads with the FK's columns."""
    keys = list(spec.uniques) + ([spec.primary_key] if spec.primary_key else [])
    n = len(fk.columns)
    return any(set(key[:n]) == set(fk.columns) for key in keys)


def render_trigger(spec: TableSpec) -> str:
    """Return the BEFORE UPDATE trigger that maintains updated_at, if the table has one."""
    if spec.updated_at_function is None or spec.column("updated_at") is None:
        return ""
    return (
        f"CREATE TRIGGER {ident(spec.updated_at_trigger)} BEFORE UPDATE ON {spec.qualified} "
        f"FOR EACH ROW EXECUTE FUNCTION public.{spec.updated_at_function}();"
    )


def render_security(spec: TableSpec) -> str:
    """Return ENABLE ROW LEVEL SECURITY (if enabled) and the policies."""
    out = []
    if spec.rls_enabled:
        out.append(f"ALTER TABLE {spec.qualified} ENABLE ROW LEVEL SECURITY;")
    for policy in spec.policies:
        sql = f'CREATE POLICY "{policy.name}" ON {spec.qualified}'
        if not policy.permissive:
            sql += " AS RESTRICTIVE"
        sql += f" FOR {policy.command} TO {', '.join(policy.roles)}"
        if policy.using is not None:
            sql += f" USING ({policy.using})"
        if policy.check is not None:
            sql += f" WITH CHECK ({policy.check})"
        out.append(sql + ";")
    return "\n".join(out)


def render_all(specs: list[TableSpec]) -> str:
    """Render every table in pg_dump's order: tables, FKs, indexes, triggers, security."""
    parts: list[str] = []
    parts.extend(render_table(s) for s in specs)
    parts.extend(filter(None, (render_foreign_keys(s) for s in specs)))
    parts.extend(filter(None, (render_indexes(s) for s in specs)))
    parts.extend(filter(None, (render_trigger(s) for s in specs)))
    parts.extend(filter(None, (render_security(s) for s in specs)))
    return "\n\n".join(parts)
