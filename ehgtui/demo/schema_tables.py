"""The ~950 generated tables of the demo: conventional tables with varied, realistic columns.

Each table draws from its own `random.Random(name)`, so a table's shape depends only on its
name and the few global choices (which tables point at strategic_directives_v2, which table
is its prefix's hub, which lone tables get a key into a domain), never on the order of
generation. Every generated table is clean of every defect kind;
`schema_defects.apply_defects` then plants the defects on named tables.

A table's first draws make the shape of version 4 of the demo; the columns and indexes that
make it as wide as the live schema's tables come from a second generator of its own
(`_widened`), so that adding them moved nothing the first one made.
"""

from __future__ import annotations

import random

from ehgtui.demo.schema_defects import DEFECT_TABLES
from ehgtui.demo.schema_key_common import SD_TABLE
from ehgtui.demo.schema_key_tables import KEY_TABLE_NAMES_MISSING
from ehgtui.demo.schema_model import Column, ForeignKey, Index, TableSpec, timestamps, uuid_pk
from ehgtui.demo.schema_names import RARE_PREFIXES, generated_table_names
from ehgtui.demo.schema_other_names import EXISTING_LINKS, LINKED_TABLES, other_shaped_names
from ehgtui.demo.schema_policies import RlsPattern, pattern_columns, pattern_policies
from ehgtui.demo.schema_supabase import UPDATED_AT_FUNCTIONS

TS = "timestamp with time zone"

SD_FAN_IN = 100
"""How many of version 4's tables have a foreign key to strategic_directives_v2; the tables
linked to a domain (`_links`) bring it to the live 125."""

SD_LINKS_TO_SD_TABLE = 25
"""How many `sd` links point at strategic_directives_v2; the others at other SD tables."""

_OTHER_SD_TARGETS = (
    "sd_checkpoints", "sd_dependencies", "sd_scope_changes", "sd_reviews", "sd_risks",
    "sd_decisions", "sd_test_plans", "sd_artifacts",
)  # fmt: skip
"""Strategic Directives tables the other `sd` links point at."""

_UNLINKED = frozenset({"access_rules"})
"""Lone tables kept without a foreign key: the explorer's tests open one."""

_LINK_KINDS = ("venture",) * 9 + ("sd",) * 7 + ("leo",) * 3
"""The share of each domain among the links of existing tables (live: 53 Ventures, 41 SD)."""

_WIDE_PALETTE: tuple[tuple[str, str, str], ...] = (
    ("summary", "text", ""),
    ("category", "text", ""),
    ("kind", "text", ""),
    ("assigned_to", "text", ""),
    ("reviewed_by", "text", ""),
    ("reviewed_at", TS, ""),
    ("archived_at", TS, ""),
    ("expires_at", TS, ""),
    ("last_error", "text", ""),
    ("checksum", "text", ""),
    ("locale", "character varying(10)", ""),
    ("currency", "character(3)", ""),
    ("weight", "numeric(6,3)", ""),
    ("rank", "integer", ""),
    ("quota", "integer", ""),
    ("threshold", "numeric(5,2)", ""),
    ("is_archived", "boolean", "NOT NULL DEFAULT false"),
    ("is_public", "boolean", "DEFAULT false"),
    ("context", "jsonb", ""),
    ("evidence", "jsonb", ""),
    ("attributes", "jsonb", "NOT NULL DEFAULT '{}'::jsonb"),
    ("source_ref", "text", ""),
    ("correlation_id", "uuid", ""),
    ("model_name", "text", ""),
    ("cost_usd", "numeric(10,4)", ""),
    ("region", "text", ""),
    ("channel", "text", ""),
    ("slug", "text", ""),
    ("display_name", "text", ""),
    ("sort_order", "integer", "DEFAULT 0"),
    ("revision", "integer", "NOT NULL DEFAULT 1"),
    ("window_start", TS, ""),
    ("window_end", TS, ""),
    ("batch_id", "uuid", ""),
    ("approved_at", TS, ""),
    ("deleted_at", TS, ""),
)
"""Columns the widening adds (none of them in `_PALETTE`, so no name repeats)."""

_WIDE_INDEXED = (
    "category", "kind", "assigned_to", "expires_at", "correlation_id", "slug", "batch_id",
    "deleted_at", "rank", "region", "source_ref", "window_start",
)  # fmt: skip
"""Widening columns that get an index of their own when the table has them."""


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


Link = tuple[str, str, str]
"""A foreign key that ties a lone table to a domain: (column, its type, referenced table)."""


def _links(
    pairs: list[tuple[str, str]], added: list[tuple[str, str]], sd_tables: set[str]
) -> dict[str, Link]:
    """The link of each lone table that gets one: `EXISTING_LINKS` of the tables no README
    rule, frequent prefix or key claims, and every one of `LINKED_TABLES`."""
    from ehgtui.catalog.domain_settings import README_DOMAINS

    counts: dict[str, int] = {}
    for _, group in pairs:
        counts[group] = counts.get(group, 0) + 1
    kept_whole = {group for _, group in added if group in RARE_PREFIXES}
    lone = sorted(
        name
        for name, group in pairs
        if (group == "" or (group in RARE_PREFIXES and counts[group] <= 2))
        and group not in kept_whole
        and name not in DEFECT_TABLES | sd_tables | _UNLINKED
        and not any(rule.matches(name) for rule in README_DOMAINS)
    )
    rng = random.Random("ehg-demo-domain-links")
    chosen = sorted(rng.sample(lone, EXISTING_LINKS))
    kinds = [_LINK_KINDS[i % len(_LINK_KINDS)] for i in range(len(chosen))]
    rng.shuffle(kinds)
    names = {n for n, _ in pairs}
    if missing := [t for t in _OTHER_SD_TARGETS if t not in names]:
        raise ValueError(f"link targets missing: {missing}")
    links: dict[str, Link] = {}
    sd_links = 0
    for name, kind in [*zip(chosen, kinds, strict=True), *LINKED_TABLES.items()]:
        if kind == "venture":
            links[name] = ("venture_id", "uuid", "public.ventures")
        elif kind == "leo":
            links[name] = ("protocol_id", "character varying(50)", "public.leo_protocols")
        elif sd_links < SD_LINKS_TO_SD_TABLE:
            links[name] = ("sd_id", "uuid", f"public.{SD_TABLE}")
            sd_links += 1
        else:
            target = _OTHER_SD_TARGETS[sd_links % len(_OTHER_SD_TARGETS)]
            links[name] = (
                f"sd_{_singular(target.removeprefix('sd_'))}_id",
                "uuid",
                f"public.{target}",
            )
            sd_links += 1
    return links


def _widened(name: str, taken: set[str]) -> tuple[list[Column], list[Index]]:
    """The columns and indexes that make a generated table as wide as the live schema's
    (about 14 columns and 4 indexes a table), from a generator of the table's own."""
    rng = random.Random(f"ehg-demo-wide:{name}")
    free = [c for c in _WIDE_PALETTE if c[0] not in taken]
    picks = sorted(rng.sample(range(len(free)), rng.randint(2, 6)))
    columns = [Column(free[i][0], free[i][1], free[i][2]) for i in picks]
    indexes = [
        Index(f"idx_{name}_{c.name}", c.name)
        for c in columns
        if c.name in _WIDE_INDEXED and rng.random() < 0.7
    ]
    return columns, indexes


def _build(
    name: str,
    group: str,
    hub: str | None,
    has_sd: bool,
    link: Link | None = None,
    added: bool = False,
) -> TableSpec:
    rng = random.Random(f"ehg-demo-table:{name}")
    pattern = rng.choices([p for p, _ in _PATTERN_WEIGHTS], [w for _, w in _PATTERN_WEIGHTS])[0]
    if added and pattern is RlsPattern.PUBLIC_READ:  # 3-4 policies: more than the live mean
        pattern = RlsPattern.AUTHENTICATED_READ
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
    if link is not None:  # no draw from rng: the table's other columns stay as they were
        column, sql_type, ref = link
        fk_columns.append(Column(column, sql_type))
        fks.append(ForeignKey((column,), ref, on_delete="SET NULL"))

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

    if name not in DEFECT_TABLES:
        wide_columns, wide_indexes = _widened(name, {c.name for c in (*fk_columns, *extra)})
        extra.extend(wide_columns)
        indexes.extend(wide_indexes)

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
    added = other_shaped_names(pairs)
    links = _links(pairs, added, sd_tables)
    return [
        _build(name, group, hubs.get(group), name in sd_tables, links.get(name))
        for name, group in pairs
    ] + [_build(name, group, None, False, links.get(name), added=True) for name, group in added]
