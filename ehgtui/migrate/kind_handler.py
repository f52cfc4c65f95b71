"""What every handler of a kind of object (`kinds.KIND_HANDLERS`) is made of, and the
statements they share: comments, owners, grants."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ehgtui.catalog.model import Catalog
from ehgtui.ddl.access import role_name
from ehgtui.ddl.quote import quote_literal
from ehgtui.diff.model import SchemaObjectDiff
from ehgtui.migrate.context import Context
from ehgtui.migrate.objects import PUBLIC_ROLES
from ehgtui.migrate.plan import Hazard, HazardKind, Phase


@dataclass(frozen=True, slots=True)
class KindHandler:
    """How one kind of object is written."""

    find: Callable[[Catalog, str], Any]
    """The object with the diff's key in a catalog, or None."""
    create: Callable[[Context, Any], None]
    drop: Callable[[Context, Any, Phase], None]
    """Writes the drop in the phase given (DROP_OBJECTS to create it again, else
    REMOVE_OBJECTS); may write nothing when another drop takes the object with it."""
    alter: Callable[[Context, Any, Any, SchemaObjectDiff], bool]
    users: Callable[[Any], tuple[Any, ...]] = lambda _obj: ()
    """What uses the object (`ObjectUse`s), made way for before it is dropped and created."""
    order: Callable[[Catalog, list[Any]], list[Any]] | None = None
    """The objects in the order to create them (the reverse is the order to drop them)."""
    pair: Callable[[Context, list[SchemaObjectDiff]], list[SchemaObjectDiff]] | None = None
    """Turns a removal and an addition that are one object changed into one change."""


def fields_of(change: SchemaObjectDiff) -> set[str]:
    return {f.field for f in change.fields}


def comment_statement(ctx: Context, target: str, comment: str | None) -> None:
    text = "NULL" if comment is None else quote_literal(comment)
    ctx.add(Phase.COMMENTS, f"COMMENT ON {target} IS {text};")


def owner_change(ctx: Context, target: str, name: str, old: str, new: str) -> None:
    """`ALTER ... OWNER TO` with `--owners`, else a note (migrations run as their owner)."""
    if ctx.options.owners:
        ctx.add(Phase.SECURITY, f"ALTER {target} OWNER TO {role_name(new)};")
    else:
        ctx.note(f"{name}: owner {old} -> {new} (not written without --owners)")


def add_grants(ctx: Context, statements: list[str], target: str, phase: Phase) -> None:
    """GRANT and REVOKE statements; a grant to anon or PUBLIC is a security hazard."""
    for statement in statements:
        hazards = []
        grantee = statement.rsplit(" TO ", 1)[-1].removesuffix(";").split(" WITH ")[0]
        if statement.startswith("GRANT ") and grantee in {role_name(r) for r in PUBLIC_ROLES}:
            what = statement.removeprefix("GRANT ").split(" ON ")[0]
            hazards.append(Hazard(HazardKind.SECURITY, f"grants {what} on {target} to {grantee}"))
        ctx.add(phase, statement, *hazards, target=target)
