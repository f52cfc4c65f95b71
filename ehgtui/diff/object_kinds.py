"""Compare the catalog's objects other than tables: one mechanism, a table of kinds.

Each kind says where its objects are in a catalog, what identifies one (its key) and which
fields are compared, each field a name and how to read it. Matching by key gives additions,
removals and changes; a function's key is its signature, so a changed argument list is a
removal plus an addition, as `CREATE OR REPLACE` cannot change it either.

A function's `definition` (pg_get_functiondef) repeats its flags and config, so it is not
compared whole: its `body` is (the text from the `AS` line or `BEGIN ATOMIC`/`RETURN` on),
and each flag on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ehgtui.catalog.model import Catalog, DataType, Function, Publication, PublicationTable
from ehgtui.catalog.model import Sequence as SequenceRecord
from ehgtui.diff.model import FieldChange, SchemaObjectDiff

Getter = Callable[[Any], Any]


@dataclass(frozen=True)
class ObjectKind:
    """How one kind of object is found, identified, compared and summed up."""

    name: str
    objects: Callable[[Catalog], Sequence[Any]]
    key: Callable[[Any], str]
    fields: tuple[tuple[str, Getter], ...]
    summary: Callable[[Any], str]


def _attr(name: str) -> tuple[str, Getter]:
    return name, lambda item: getattr(item, name)


def _acl_role(role: str) -> str:
    """A role as aclitem text writes it (double-quoted when it holds odd characters)."""
    if role.replace("_", "a").isalnum():
        return role
    return '"' + role.replace('"', '""') + '"'


def _effective_acl(default: str) -> tuple[str, Getter]:
    """The `acl` field as the privileges it grants: an empty ACL (the default) as
    acldefault() spells it (`default`, `{o}` the owner), each sorted (the order of grants
    means nothing). So `REVOKE ALL ... FROM PUBLIC` reads as PUBLIC's privileges going, and
    the default spelled out is no difference."""

    def effective(item: Any) -> tuple[str, ...]:
        if item.acl:
            return tuple(sorted(item.acl))
        return tuple(sorted(default.format(o=_acl_role(item.owner)).split()))

    return "acl", effective


def function_body(definition: str) -> str:
    """The body part of pg_get_functiondef's text: from the line starting `AS ` (or an
    SQL-standard `BEGIN ATOMIC` / `RETURN`) to the end; the whole text when none is found."""
    lines = definition.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if line.lstrip(" ").startswith(("AS ", "BEGIN ATOMIC", "RETURN ")):
            return "".join(lines[index:]).strip()
    return definition.strip()


def _function_summary(f: Function) -> str:
    result = f" RETURNS {f.result}" if f.result else ""
    definer = " SECURITY DEFINER" if f.security_definer else ""
    return f"{f.kind} {f.signature}{result} LANGUAGE {f.language}{definer}"


def _type_summary(t: DataType) -> str:
    if t.kind == "enum":
        return f"enum ({', '.join(t.labels)})"
    if t.kind == "domain":
        return f"domain over {t.base_type}"
    return t.kind


def _constraint_texts(t: DataType) -> tuple[str, ...]:
    return tuple(f"{c.name}: {c.definition}" for c in t.constraints)


def _sequence_summary(s: SequenceRecord) -> str:
    owned = f" OWNED BY {s.owned_by_table}.{s.owned_by_column}" if s.owned_by_table else ""
    return f"{s.data_type} START {s.start} INCREMENT {s.increment}{owned}"


def _published(t: PublicationTable) -> str:
    text = f"{t.schema}.{t.name}"
    if t.columns:
        text += f" ({', '.join(t.columns)})"
    if t.row_filter:
        text += f" WHERE {t.row_filter}"
    return text


def _publication_summary(p: Publication) -> str:
    scope = "FOR ALL TABLES" if p.all_tables else f"{len(p.tables)} tables"
    return f"{scope}, publish {', '.join(p.operations)}"


OBJECT_KINDS: tuple[ObjectKind, ...] = (
    ObjectKind(
        "schema",
        lambda c: c.schema_objects,
        lambda s: s.name,
        (_attr("owner"), _attr("comment"), _effective_acl("{o}=UC/{o}")),
        lambda s: f"owner {s.owner}",
    ),
    ObjectKind(
        "extension",
        lambda c: c.extensions,
        lambda e: e.name,
        (_attr("schema"), _attr("version"), _attr("owner"), _attr("comment")),
        lambda e: f"version {e.version} in schema {e.schema}",
    ),
    ObjectKind(
        "type",
        lambda c: c.types,
        lambda t: t.qualified_name,
        (
            _attr("kind"),
            _attr("labels"),
            _attr("base_type"),
            _attr("default"),
            _attr("not_null"),
            _attr("collation"),
            ("constraints", _constraint_texts),
            ("attributes", lambda t: tuple(f"{a.name} {a.data_type}" for a in t.attributes)),
            _attr("subtype"),
            _attr("owner"),
            _attr("comment"),
            _effective_acl("=U/{o} {o}=U/{o}"),
        ),
        _type_summary,
    ),
    ObjectKind(
        "sequence",
        lambda c: c.sequences,
        lambda s: f"{s.schema}.{s.name}",
        (
            _attr("data_type"),
            _attr("start"),
            _attr("increment"),
            _attr("min_value"),
            _attr("max_value"),
            _attr("cache"),
            _attr("cycle"),
            _attr("unlogged"),
            (
                "owned_by",
                lambda s: f"{s.owned_by_table}.{s.owned_by_column}" if s.owned_by_table else None,
            ),
            _attr("owner"),
            _effective_acl("{o}=rwU/{o}"),
        ),
        _sequence_summary,
    ),
    ObjectKind(
        "function",
        lambda c: c.functions,
        lambda f: f.signature,
        (
            _attr("kind"),
            _attr("arguments"),
            _attr("result"),
            _attr("language"),
            _attr("volatility"),
            _attr("strict"),
            _attr("security_definer"),
            _attr("leakproof"),
            _attr("parallel"),
            _attr("config"),
            _attr("owner"),
            _effective_acl("=X/{o} {o}=X/{o}"),
            _attr("comment"),
            ("body", lambda f: function_body(f.definition)),
        ),
        _function_summary,
    ),
    ObjectKind(
        "publication",
        lambda c: c.publications,
        lambda p: p.name,
        (
            _attr("all_tables"),
            _attr("operations"),
            _attr("via_root"),
            ("tables", lambda p: tuple(_published(t) for t in p.tables)),
            _attr("schemas"),
            _attr("owner"),
            _attr("comment"),
        ),
        _publication_summary,
    ),
)
"""Every kind compared besides tables, in the order the diff reports them."""


def _compare_kind(kind: ObjectKind, a: Catalog, b: Catalog) -> list[SchemaObjectDiff]:
    by_key_a = {kind.key(o): o for o in kind.objects(a)}
    by_key_b = {kind.key(o): o for o in kind.objects(b)}
    changes: list[SchemaObjectDiff] = []
    for key in sorted(by_key_a.keys() | by_key_b.keys()):
        before, after = by_key_a.get(key), by_key_b.get(key)
        if after is None:
            changes.append(
                SchemaObjectDiff(kind.name, key, "removed", summary=kind.summary(before))
            )
        elif before is None:
            changes.append(SchemaObjectDiff(kind.name, key, "added", summary=kind.summary(after)))
        else:
            fields = tuple(
                FieldChange(name, old, new)
                for name, get in kind.fields
                if (old := get(before)) != (new := get(after))
            )
            if fields:
                changes.append(SchemaObjectDiff(kind.name, key, "changed", fields))
    return changes


def compare_objects(a: Catalog, b: Catalog) -> tuple[SchemaObjectDiff, ...]:
    """What differs from catalog `a` to `b` in every kind of `OBJECT_KINDS`."""
    changes: list[SchemaObjectDiff] = []
    for kind in OBJECT_KINDS:
        changes += _compare_kind(kind, a, b)
    return tuple(changes)
