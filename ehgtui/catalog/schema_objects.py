"""The rows of the queries for what is not a table: functions, types, schemas, extensions,
publications, default privileges, and what uses each function and type.

Few rows each (hundreds, not the tens of thousands of columns), so they are read by name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import msgspec

from ehgtui.catalog.model import (
    DataType,
    DefaultPrivilege,
    DomainConstraint,
    Extension,
    Function,
    ObjectUse,
    Publication,
    PublicationTable,
    Schema,
    Table,
    TypeAttribute,
)

FUNCTION_KINDS = {"f": "function", "p": "procedure", "a": "aggregate", "w": "window"}
VOLATILITY = {"i": "IMMUTABLE", "s": "STABLE", "v": "VOLATILE"}
PARALLEL = {"s": "SAFE", "r": "RESTRICTED", "u": "UNSAFE"}
TYPE_KINDS = {"e": "enum", "d": "domain", "c": "composite", "r": "range"}
DEFAULT_ACL_OBJECTS = {
    "r": "TABLES",
    "S": "SEQUENCES",
    "f": "FUNCTIONS",
    "T": "TYPES",
    "n": "SCHEMAS",
    "L": "LARGE OBJECTS",
}
"""pg_default_acl.defaclobjtype to the word `ALTER DEFAULT PRIVILEGES ... ON` takes."""

_DECODE = msgspec.json.decode


def _aggregate_definition(row: Any) -> str:
    """`CREATE AGGREGATE`, laid out as pg_dump writes it, from the pg_aggregate fields.

    Covers plain and ordered-set aggregates with a state function, state type and space,
    final and combine functions, initial condition and sort operator (moving-aggregate
    options are not loaded).
    """
    spec = _DECODE(row["aggregate"])
    name = spec["name"]
    lines = [f"SFUNC = {spec['sfunc']}", f"STYPE = {spec['stype']}"]
    if spec.get("sspace"):
        lines.append(f"SSPACE = {spec['sspace']}")
    if spec.get("initcond") is not None:
        lines.append(f"INITCOND = {spec['initcond']}")
    if spec.get("finalfunc"):
        lines.append(f"FINALFUNC = {spec['finalfunc']}")
        if spec.get("finalfunc_extra"):
            lines.append("FINALFUNC_EXTRA")
    if spec.get("combinefunc"):
        lines.append(f"COMBINEFUNC = {spec['combinefunc']}")
    if spec.get("sortop"):
        operator = spec["sortop"].split("(", 1)[0]
        lines.append(f"SORTOP = {operator}")
    if spec.get("kind") == "h":
        lines.append("HYPOTHETICAL")
    parallel = PARALLEL.get(row["parallel"], "UNSAFE")
    if parallel != "UNSAFE":
        lines.append(f"PARALLEL = {parallel.lower()}")
    body = ",\n    ".join(lines)
    return f"CREATE AGGREGATE {name}({row['arguments'] or '*'}) (\n    {body}\n);"


def functions(rows: Iterable[Any]) -> list[Function]:
    """The FUNCTIONS rows as model functions, by schema, name and arguments."""
    made = []
    for row in rows:
        kind = FUNCTION_KINDS.get(row["prokind"], row["prokind"])
        definition = row["definition"] if kind != "aggregate" else _aggregate_definition(row)
        made.append(
            Function(
                oid=row["oid"],
                schema=row["schema"],
                name=row["name"],
                kind=kind,
                identity_arguments=row["identity_arguments"] or "",
                arguments=row["arguments"] or "",
                result=row["result"],
                language=row["language"],
                volatility=VOLATILITY.get(row["volatility"], row["volatility"]),
                strict=row["strict"],
                security_definer=row["security_definer"],
                leakproof=row["leakproof"],
                parallel=PARALLEL.get(row["parallel"], row["parallel"]),
                config=tuple(row["config"]),
                owner=row["owner"],
                acl=tuple(row["acl"]),
                comment=row["comment"],
                definition=definition or "",
            )
        )
    made.sort(key=lambda f: (f.schema, f.name, f.identity_arguments))
    return made


def types(rows: Iterable[Any]) -> list[DataType]:
    """The TYPES rows as model types, by schema and name."""
    made = []
    for row in rows:
        constraints = _DECODE(row["constraints"]) if row["constraints"] else []
        attributes = _DECODE(row["attributes"]) if row["attributes"] else []
        made.append(
            DataType(
                oid=row["oid"],
                schema=row["schema"],
                name=row["name"],
                kind=TYPE_KINDS[row["typtype"]],
                owner=row["owner"],
                comment=row["comment"],
                acl=tuple(row["acl"]),
                labels=tuple(row["labels"] or ()),
                base_type=row["base_type"],
                default=row["default_expr"],
                not_null=row["not_null"],
                collation=row["collation"],
                constraints=tuple(
                    DomainConstraint(c["name"], c["definition"], c["validated"])
                    for c in constraints
                ),
                attributes=tuple(
                    TypeAttribute(a["name"], a["data_type"], a["collation"]) for a in attributes
                ),
                subtype=row["subtype"],
                subtype_opclass=row["subtype_opclass"],
                canonical=row["canonical"],
                subtype_diff=row["subtype_diff"],
                multirange=row["multirange"],
            )
        )
    made.sort(key=lambda t: (t.schema, t.name))
    return made


class DatabaseObjects(msgspec.Struct, frozen=True):
    """The OBJECTS query's rows, by kind."""

    schemas: tuple[Schema, ...]
    extensions: tuple[Extension, ...]
    publications: tuple[Publication, ...]
    default_privileges: tuple[DefaultPrivilege, ...]


def database_objects(rows: Iterable[Any]) -> DatabaseObjects:
    """Schemas, extensions, publications and default privileges from the OBJECTS rows."""
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(_DECODE(row["data"]))
    schemas = [
        Schema(d["name"], d["owner"], d["comment"], tuple(d["acl"] or ()))
        for d in by_kind["schema"]
    ]
    extensions = [
        Extension(
            d["name"],
            d["schema"],
            d["version"],
            d["default_version"],
            d["owner"],
            d["comment"],
            d["relocatable"],
        )
        for d in by_kind["extension"]
    ]
    publications = [
        Publication(
            name=d["name"],
            owner=d["owner"],
            all_tables=d["all_tables"],
            insert=d["insert"],
            update=d["update"],
            delete=d["delete"],
            truncate=d["truncate"],
            via_root=d["via_root"],
            comment=d["comment"],
            tables=tuple(
                PublicationTable(t["schema"], t["name"], tuple(t["columns"]), t["row_filter"])
                for t in d["tables"]
            ),
            schemas=tuple(d["schemas"] or ()),
        )
        for d in by_kind["publication"]
    ]
    defaults = [
        DefaultPrivilege(
            d["role"],
            d["schema"],
            DEFAULT_ACL_OBJECTS.get(d["object_type"], d["object_type"]),
            tuple(d["acl"] or ()),
        )
        for d in by_kind["default_privilege"]
    ]
    return DatabaseObjects(
        tuple(sorted(schemas, key=lambda s: s.name)),
        tuple(sorted(extensions, key=lambda e: e.name)),
        tuple(sorted(publications, key=lambda p: p.name)),
        tuple(sorted(defaults, key=lambda d: (d.role, d.schema or "", d.object_type))),
    )


Uses = tuple[dict[int, list[ObjectUse]], dict[int, list[ObjectUse]]]
"""Uses of functions and of types, by the used object's oid."""


def uses(rows: Iterable[Any]) -> Uses:
    """The USES rows: what uses each function, and each type, by its oid."""
    of_functions: dict[int, list[ObjectUse]] = defaultdict(list)
    of_types: dict[int, list[ObjectUse]] = defaultdict(list)
    for row in rows:
        if row["kind"] is None or row["schema"] is None or row["relation"] is None:
            continue  # an object of a kind we do not name (a rule that is no view, ...)
        target = of_functions if row["of_function"] else of_types
        use = ObjectUse(row["kind"], row["schema"], row["relation"], row["name"])
        target[row["target_oid"]].append(use)
    return of_functions, of_types


def _use_order(use: ObjectUse) -> tuple[str, str, str, str]:
    return (use.kind, use.schema, use.relation, use.name or "")


def with_uses(
    functions_: Sequence[Function],
    types_: Sequence[DataType],
    found: Uses,
    tables: Sequence[Table],
) -> tuple[tuple[Function, ...], tuple[DataType, ...]]:
    """Functions and types with their users: pg_depend's, and triggers by their function.

    A trigger function takes no arguments, so `schema.name` names it without ambiguity.
    """
    by_trigger: dict[str, list[ObjectUse]] = defaultdict(list)
    trigger_functions = [f for f in functions_ if f.result == "trigger"]
    for table in tables if trigger_functions else ():
        for trigger in table.triggers:
            by_trigger[trigger.function].append(
                ObjectUse("trigger", table.schema, table.name, trigger.name)
            )
    of_functions, of_types = found
    done_functions = []
    for function in functions_:
        used = list(of_functions.get(function.oid, ()))
        if function.result == "trigger" and not function.identity_arguments:
            used += by_trigger.get(function.qualified_name, ())
        if used:
            unique = sorted(set(used), key=_use_order)
            function = msgspec.structs.replace(function, used_by=tuple(unique))
        done_functions.append(function)
    done_types = []
    for data_type in types_:
        type_uses = of_types.get(data_type.oid)
        if type_uses:
            unique = sorted(set(type_uses), key=_use_order)
            data_type = msgspec.structs.replace(data_type, used_by=tuple(unique))
        done_types.append(data_type)
    return tuple(done_functions), tuple(done_types)
