"""Functions, procedures and aggregates: created, dropped, replaced and altered.

- A changed body or language, or defaults added to arguments: `CREATE OR REPLACE` with B's
  definition (pg_get_functiondef, which carries every flag and `SET`).
- Only flags or `SET`s changed: `ALTER FUNCTION ... STABLE`, `SET search_path TO ...`, `RESET`.
- A result, kind or argument name changed, or an argument default removed, which
  `CREATE OR REPLACE` refuses: `DROP` and `CREATE`, what uses the function (triggers,
  policies, views, defaults: `users.make_way`) dropped before and created again after.
  An argument renamed changes the diff's key (the identity arguments name them), so a removed
  function and an added one with the same argument types are paired into such a change.
- EXECUTE grants and revokes turn A's ACL into B's; a grant to anon or PUBLIC, and a function
  made SECURITY DEFINER (more so without a `search_path`), are security hazards.

New functions are created in `Phase.CREATE_OBJECTS`, the ones they call first (as pg_depend
records it for SQL-standard bodies); `check_function_bodies` is off for the transaction when a
SQL function is created, as pg_dump does, since its body may name a table created later.
"""

from __future__ import annotations

import graphlib
import re
from dataclasses import replace
from functools import lru_cache

from pglast import parse_sql
from pglast.parser import ParseError
from pglast.stream import RawStream

from ehgtui.catalog.model import Catalog, Function, ObjectUse
from ehgtui.ddl.access import acl_change_statements
from ehgtui.ddl.objects import (
    create_function,
    function_grants,
    function_statements,
    function_target,
)
from ehgtui.diff.model import FieldChange, SchemaObjectDiff
from ehgtui.diff.object_kinds import function_body
from ehgtui.migrate.context import Context
from ehgtui.migrate.kind_handler import (
    KindHandler,
    add_grants,
    comment_statement,
    fields_of,
    owner_change,
)
from ehgtui.migrate.plan import Hazard, HazardKind, Phase

NO_CHECK_BODIES = "SET LOCAL check_function_bodies = false;"

_SET_LINE = re.compile(r"^ SET (?P<name>\S+) TO (?P<value>.*)$")
"""A `SET` line of pg_get_functiondef's header (the value quoted as the GUC needs)."""

FLAG_FIELDS = frozenset(
    {"volatility", "strict", "security_definer", "leakproof", "parallel", "config"}
)
"""What `ALTER FUNCTION` changes in place."""

KEPT_FIELDS = frozenset({"owner", "acl", "comment"})
"""What `CREATE OR REPLACE` keeps: written on their own whichever way the function changes."""


def find_function(catalog: Catalog, signature: str) -> Function | None:
    return next((f for f in catalog.functions if f.signature == signature), None)


@lru_cache(maxsize=4096)
def argument_types(identity_arguments: str) -> tuple[str, ...] | None:
    """The argument types (with their modes), names left out: what tells overloads apart."""
    try:
        statement = parse_sql(
            f"CREATE FUNCTION f({identity_arguments}) RETURNS void LANGUAGE sql AS ''"
        )[0].stmt
    except ParseError:
        return None
    return tuple(
        f"{p.mode} {RawStream()(p.argType)}" for p in getattr(statement, "parameters", None) or ()
    )


def _pair(ctx: Context, changes: list[SchemaObjectDiff]) -> list[SchemaObjectDiff]:
    """A removed and an added function of one name and argument types: arguments renamed."""
    added = {c.name: c for c in changes if c.kind == "added"}
    paired: dict[str, str] = {}
    for change in changes:
        old = find_function(ctx.a, change.name) if change.kind == "removed" else None
        if old is None:
            continue
        types = argument_types(old.identity_arguments)
        for key in added:
            new = find_function(ctx.b, key)
            if (
                new is not None
                and key not in paired.values()
                and (new.schema, new.name) == (old.schema, old.name)
                and types is not None
                and argument_types(new.identity_arguments) == types
            ):
                paired[change.name] = key
                break
    if not paired:
        return changes
    out = [c for c in changes if c.name not in paired and c.name not in paired.values()]
    for old_key, new_key in paired.items():
        out.append(
            SchemaObjectDiff(
                "function", new_key, "changed", (FieldChange("key", old_key, new_key),)
            )
        )
    return out


def _order(catalog: Catalog, functions: list[Function]) -> list[Function]:
    """The functions, each after the ones it uses (pg_depend's uses of kind `function`)."""
    by_signature = {f.signature: f for f in functions}
    graph: dict[str, set[str]] = {f.signature: set() for f in functions}
    for function in functions:
        for use in function.used_by:
            user = f"{use.schema}.{use.relation}"
            if use.kind == "function" and user in graph and user != function.signature:
                graph[user].add(function.signature)
    try:
        return [by_signature[s] for s in graphlib.TopologicalSorter(graph).static_order()]
    except graphlib.CycleError:
        return functions


def _users(function: Function) -> tuple[ObjectUse, ...]:
    return function.used_by


def _definer_hazards(function: Function) -> list[Hazard]:
    if not function.security_definer:
        return []
    if function.search_path is None:
        return [
            Hazard(
                HazardKind.SECURITY,
                "SECURITY DEFINER without a search_path runs with the caller's search_path:"
                " add SET search_path",
            )
        ]
    return [Hazard(HazardKind.SECURITY, "SECURITY DEFINER runs with its owner's rights")]


def _no_body_check(ctx: Context, function: Function) -> None:
    if function.language == "sql" and not any(s.sql == NO_CHECK_BODIES for s in ctx.out.added):
        ctx.add(Phase.SETUP, NO_CHECK_BODIES)


def _create(ctx: Context, function: Function) -> None:
    _no_body_check(ctx, function)
    first, *rest = function_statements(function, replace(ctx.ddl_options, grants=False))
    ctx.add(Phase.CREATE_OBJECTS, first, *_definer_hazards(function), target=function.signature)
    for statement in rest:
        phase = Phase.COMMENTS if statement.startswith("COMMENT ") else Phase.SECURITY
        ctx.add(phase, statement)
    grants = function_grants(function, with_owner=ctx.options.owners)
    add_grants(ctx, grants, function.signature, Phase.SECURITY)


def _drop(ctx: Context, function: Function, phase: Phase) -> None:
    ctx.add(phase, f"DROP {function_target(function)};", target=function.signature)


def _defaults(arguments: str) -> int:
    return len(re.findall(r"\bDEFAULT\b", arguments))


def _needs_recreate(old: Function, new: Function, fields: set[str]) -> bool:
    if fields & {"key", "kind", "result"}:
        return True
    if old.kind == "aggregate" and fields - KEPT_FIELDS:
        return True  # no CREATE OR REPLACE AGGREGATE before PostgreSQL 12's, and no ALTER
    return "arguments" in fields and _defaults(new.arguments) < _defaults(old.arguments)


def _config(function: Function) -> dict[str, str]:
    """B's `SET`s by name, valued as pg_get_functiondef writes them (quoted as needed)."""
    definition = function.definition
    header = definition[: len(definition) - len(function_body(definition))]
    found = {}
    for line in header.splitlines():
        match = _SET_LINE.match(line)
        if match:
            found[match["name"]] = match["value"]
    return found


def _flag_clauses(old: Function, new: Function) -> list[str]:
    clauses = []
    if new.volatility != old.volatility:
        clauses.append(new.volatility)
    if new.strict != old.strict:
        clauses.append("STRICT" if new.strict else "CALLED ON NULL INPUT")
    if new.security_definer != old.security_definer:
        clauses.append("SECURITY DEFINER" if new.security_definer else "SECURITY INVOKER")
    if new.leakproof != old.leakproof:
        clauses.append("LEAKPROOF" if new.leakproof else "NOT LEAKPROOF")
    if new.parallel != old.parallel:
        clauses.append(f"PARALLEL {new.parallel}")
    return clauses


def _alter_flags(ctx: Context, old: Function, new: Function) -> None:
    target = function_target(new)
    clauses = _flag_clauses(old, new)
    hazards = _definer_hazards(new) if new.security_definer and not old.security_definer else []
    if clauses:
        ctx.add(
            Phase.CREATE_OBJECTS,
            f"ALTER {target} {' '.join(clauses)};",
            *hazards,
            target=new.signature,
        )
    old_config, new_config = _config(old), _config(new)
    for name in sorted(set(old_config) - set(new_config)):
        reset = [] if name != "search_path" or not new.security_definer else _definer_hazards(new)
        ctx.add(Phase.CREATE_OBJECTS, f"ALTER {target} RESET {name};", *reset, target=new.signature)
    for name, value in sorted(new_config.items()):
        if old_config.get(name) != value:
            ctx.add(
                Phase.CREATE_OBJECTS, f"ALTER {target} SET {name} TO {value};", target=new.signature
            )


def _alter(ctx: Context, old: Function, new: Function, change: SchemaObjectDiff) -> bool:
    fields = fields_of(change)
    if _needs_recreate(old, new, fields):
        return False
    if fields & {"body", "language", "arguments"} or (
        new.kind == "procedure" and fields & FLAG_FIELDS
    ):
        _no_body_check(ctx, new)
        hazards = _definer_hazards(new) if "security_definer" in fields else []
        ctx.add(Phase.CREATE_OBJECTS, create_function(new), *hazards, target=new.signature)
    elif fields & FLAG_FIELDS:
        _alter_flags(ctx, old, new)
    target = function_target(new)
    if "owner" in fields:
        owner_change(ctx, target, new.signature, old.owner, new.owner)
    if "comment" in fields:
        comment_statement(ctx, target, new.comment)
    if "acl" in fields or "owner" in fields:
        add_grants(ctx, _acl_change(ctx, old, new), new.signature, Phase.SECURITY)
    return True


def _default_acl(function: Function) -> tuple[str, ...]:
    owner = function.owner
    return (f"=X/{owner}", f"{owner}=X/{owner}")


def _acl_change(ctx: Context, old: Function, new: Function) -> list[str]:
    """REVOKEs and GRANTs turning A's EXECUTE privileges into B's."""
    keyword = "PROCEDURE" if new.kind == "procedure" else "FUNCTION"
    target = f"{keyword} {function_target(new).split(' ', 1)[1]}"  # GRANT has no AGGREGATE
    skip = None if ctx.options.owners else new.owner
    return acl_change_statements(
        target,
        new.acl or _default_acl(new),
        old.acl or _default_acl(old),
        frozenset({"EXECUTE"}),
        skip=skip,
    )


FUNCTION_HANDLER = KindHandler(
    find_function, _create, _drop, _alter, users=_users, order=_order, pair=_pair
)
