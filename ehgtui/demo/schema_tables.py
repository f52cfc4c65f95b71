"""The ~850 generated tables of the demo: conventional tables with varied, realistic columns.

Each table draws from its own `random.Random(name)`, so a table's shape depends only on its
name and the few global choices (which tables point at strategic_directives_v2, which table
is its prefix's hub), never on the order of generation. Every generated table is clean of
every defect kind; `schema_defects.apply_defects` then plants the defects on named tables.
"""

from __future__ import annotations

import random

from ehgtui.demo.schema_defects import DEFECT_TABLES
from ehgtui.demo.schema_key_common import SD_TABLE
from ehgtui.demo.schema_key_tables import KEY_TABLE_NAMES_MISSING
from ehgtui.demo.schema_model import Column, ForeignKey, Index, TableSpec, timestamps, uuid_pk
from ehgtui.demo.schema_names import generated_table_names
from ehgtui.demo.schema_policies import RlsPattern, pattern_columns, pattern_policies
from ehgtui.demo.schema_supabase import UPDATED_AT_FUNCTIONS

SD_FAN_IN = 100
"""How many tables have a foreign key to strategic_directives_v2 (its live fan-in)."""

TS = "timestamp with time zone"

_PALETTE: tuple[tuple[str, str, str, str | None], ...] = (
    ("name", "text", "NOT NULL", None),
    ("title", "text", "", None),
    ("description", "text", "", None),
    ("status", "text", "NOT NULL DEFAULT 'pending'::text", "Lifecycle status."),
    ("priority", "integer", "DEFAULT 0", None),
    ("score", "numeric(5,2)", "", "Score from 0 to 100."),
    ("amount", "numeric(12,2)", "", "Amount in USD."),
    ("metadata", "jsonb", "NOT NULL DEFAULT '{}'::jsonb", "Free-form metadata (JSON)."),
    ("payload", "jsonb", "", None),
    ("tags", "text[]", "NOT NULL DEFAULT '{}'::text[]", None),
    ("notes", "text", "", None),
    ("is_active", "boolean", "NOT NULL DEFAULT true", None),
    ("sequence_number", "integer", "", None),
    ("started_at", TS, "", None),
    ("completed_at", TS, "", None),
    ("due_date", "date", "", None),
    ("source", "character varying(100)", "", None),
    ("external_ref", "character varying(255)", "", "Identifier in the external system."),
    ("severity", "public.severity_level", "DEFAULT 'medium'::public.severity_level", None),
    ("attempt_count", "integer", "NOT NULL DEFAULT 0", None),
    ("duration_ms", "bigint", "", None),
    ("confidence", "numeric(4,3)", "", None),
    ("labels", "text[]", "", None),
    ("counts", "integer[]", "", None),
    ("config", "jsonb", "", None),
    ("url", "text", "", None),
    ("version", "integer", "NOT NULL DEFAULT 1", None),
    ("error_message", "text", "", None),
    ("result", "jsonb", "", None),
    ("email", "text", "", None),
    ("owner_agent", "text", "", "Agent that owns the row, e.g. EXEC or PLAN."),
    ("phase", "text", "", None),
    ("item_count", "integer", "DEFAULT 0", None),
    ("ratio", "double precision", "", None),
    ("valid_from", "date", "", None),
    ("stage_kinds", "public.venture_stage_kind[]", "", None),
    ("priority_level", "public.sd_priority", "", None),
)

_STATUSES = ("'pending'", "'active'", "'completed'", "'failed'", "'archived'")
_SECRET_WORDS = ("api_key", "token", "credential", "secret")
_PATTERN_WEIGHTS = (
    (RlsPattern.AUTHENTICATED_READ, 40),
    (RlsPattern.USER_OWNED, 17),
    (RlsPattern.ORG_SCOPED, 15),
    (RlsPattern.PUBLIC_READ, 13),
    (RlsPattern.ADMIN_ONLY, 15),
)
_SD_NEIGHBOUR_PREFIXES = frozenset(
    """leo agent uat chairman gate plan eva retro prd github test story handoff session
    context issue workflow pr release deployment quality review approval governance""".split()
)


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _hub_column(hub: str, group: str) -> str:
    return _singular(hub.removeprefix(group + "_")) + "_id"


def _on_delete(rng: random.Random) -> str | None:
    return rng.choices(("CASCADE", "SET NULL", None, "RESTRICT"), weights=(45, 25, 20, 10))[0]


def _fk_column(name: str, sql_type: str, on_delete: str | None, rng: random.Random) -> Column:
    not_null = on_delete != "SET NULL" and rng.random() < 0.5
    return Column(name, sql_type, "NOT NULL" if not_null else "")


def _comment(name: str, group: str, rng: random.Random) -> str | None:
    if rng.random() >= 0.75:
        return None
    human = name.replace("_", " ")
    domain = group or "shared"
    templates = (
        f"{human.capitalize()}.",
        f"Tracks {human} for the {domain} domain.",
        f"{human.capitalize()}; written by the '{domain}' tooling.\nSee the LEO Protocol docs.",
        f"Stores {human}. Rows are append-mostly.",
    )
    return rng.choice(templates)


def _choose_sd_tables(pairs: list[tuple[str, str]], key_fan_in: int) -> set[str]:
    rng = random.Random("ehg-demo-sd-fan-in")
    chosen = {n for n, g in pairs if g == "sd"} | {"gate_review_comments"}
    candidates = sorted(n for n, g in pairs if g in _SD_NEIGHBOUR_PREFIXES and n not in chosen)
    chosen |= set(rng.sample(candidates, SD_FAN_IN - key_fan_in - len(chosen)))
    return chosen


def _hubs(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The first conventional table of each prefix with 5+ generated tables."""
    by_group: dict[str, list[str]] = {}
    for name, group in pairs:
        by_group.setdefault(group, []).append(name)
    return {
        group: next(n for n in names if n not in DEFECT_TABLES)
        for group, names in by_group.items()
        if group and len(names) >= 5
    }


def _build(name: str, group: str, hub: str | None, has_sd: bool) -> TableSpec:
    rng = random.Random(f"ehg-demo-table:{name}")
    pattern = rng.choices([p for p, _ in _PATTERN_WEIGHTS], [w for _, w in _PATTERN_WEIGHTS])[0]
    variant = rng.randrange(12)
    fk_columns: list[Column] = []
    fks: list[ForeignKey] = []
    indexes: list[Index] = []

    def add_fk(column: str, sql_type: str, ref: str, on_delete: str | None) -> None:
        fk_columns.append(_fk_column(column, sql_type, on_delete, rng))
        fks.append(ForeignKey((column,), ref, on_delete=on_delete))

    if group == "venture":
        add_fk("venture_id", "uuid", "public.ventures", "CASCADE")
    elif group in ("stage", "chairman", "eva") and rng.random() < 0.3:
        add_fk("venture_id", "uuid", "public.ventures", "SET NULL")
    if has_sd:
        add_fk("sd_id", "uuid", f"public.{SD_TABLE}", _on_delete(rng))
    if group == "leo" and rng.random() < 0.3:
        add_fk("protocol_id", "character varying(50)", "public.leo_protocols", _on_delete(rng))
    if hub and name != hub and rng.random() < 0.35:
        add_fk(_hub_column(hub, group), "uuid", f"public.{hub}", _on_delete(rng))
    if pattern is RlsPattern.ORG_SCOPED:
        add_fk("organization_id", "uuid", "public.organizations", "CASCADE")

    extra: list[Column] = []
    if "created_by" in pattern_columns(pattern):
        extra.append(Column("created_by", "uuid", "", None))
        indexes.append(Index(f"idx_{name}_created_by", "created_by"))
    if any(word in name for word in _SECRET_WORDS):
        extra.append(Column("key_prefix", "text", "NOT NULL"))
        extra.append(Column("secret_hash", "text", "", "bcrypt hash of the secret; never shown."))
    picks = sorted(rng.sample(range(len(_PALETTE)), rng.randint(3, 9)))
    comment_cols = rng.random() < 0.4
    for i in picks:
        col_name, sql_type, modifiers, col_comment = _PALETTE[i]
        extra.append(Column(col_name, sql_type, modifiers, col_comment if comment_cols else None))
    names = {c.name for c in extra}

    checks: tuple[tuple[str, str], ...] = ()
    uniques: tuple[tuple[str, ...], ...] = ()
    if "status" in names:
        checks = (("status", f"status = ANY (ARRAY[{', '.join(_STATUSES)}])"),)
        if rng.random() < 0.4:
            indexes.append(Index(f"idx_{name}_status", "status"))
    if "name" in names and rng.random() < 0.25:
        uniques = (("name",),)
    if "tags" in names and rng.random() < 0.2:
        indexes.append(Index(f"idx_{name}_tags", "tags", method="gin"))
    if "external_ref" in names and rng.random() < 0.3:
        indexes.append(
            Index(f"idx_{name}_external_ref", "external_ref", where="external_ref IS NOT NULL")
        )

    trigger_names = (
        "set_updated_at",
        f"update_{name}_updated_at",
        f"trg_{name}_updated_at",
        f"{name}_set_updated_at",
        "handle_updated_at",
        "trigger_set_timestamp",
    )
    return TableSpec(
        name=name,
        columns=(uuid_pk(), *fk_columns, *extra, *timestamps()),
        uniques=uniques,
        checks=checks,
        foreign_keys=tuple(fks),
        indexes=tuple(indexes),
        policies=pattern_policies(pattern, variant),
        updated_at_function=rng.choice(UPDATED_AT_FUNCTIONS),
        updated_at_trigger=rng.choice(trigger_names),
        comment=_comment(name, group, rng),
    )


def generated_tables(key_tables: list[TableSpec]) -> list[TableSpec]:
    """Every generated table of schema public, given the hand-written ones."""
    reserved = {t.name for t in key_tables}
    pairs = generated_table_names(reserved, set(KEY_TABLE_NAMES_MISSING))
    key_fan_in = sum(
        1
        for t in key_tables
        if t.name != SD_TABLE and any(fk.ref_table == f"public.{SD_TABLE}" for fk in t.foreign_keys)
    )
    sd_tables = _choose_sd_tables(pairs, key_fan_in)
    hubs = _hubs(pairs)
    return [_build(name, group, hubs.get(group), name in sd_tables) for name, group in pairs]
