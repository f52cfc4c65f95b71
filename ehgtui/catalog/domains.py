"""Group tables by business domain: the README's eight domains, frequent prefixes, foreign
keys into a domain, plurals, small prefix groups, then Other (see `_groups` for the order).

The rules in force, and their override from a TOML file, are `domain_settings.py`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from ehgtui.catalog.domain_settings import README_DOMAINS, DomainRule, DomainSettings

if TYPE_CHECKING:  # names only: the CLI reads the domain rules before the model is needed
    from ehgtui.catalog.model import Catalog, Function, Table
    from ehgtui.catalog.objects import ObjectRef, SchemaObject

OTHER = "Other"
"""The group of tables no rule and no frequent prefix claims."""

VIEWS = "Views"
"""The group holding views and materialized views."""

KIND_GROUPS: dict[str, str] = {
    "function": "Functions",
    "type": "Types",
    "sequence": "Sequences",
    "extension": "Extensions",
    "publication": "Publications",
}
"""The group of each object kind, after the tables' domains. A function whose name a domain
claims (`sd_descendants` in Strategic Directives) sits in that domain instead."""


@dataclass(frozen=True)
class Domain:
    """A group of tables in the tree."""

    name: str
    description: str
    tables: tuple[Table, ...]
    missing_key_tables: tuple[str, ...] = ()
    """Key tables the README names for this domain that the database lacks."""
    is_readme_domain: bool = False
    objects: tuple[SchemaObject, ...] = ()
    """Functions the domain's rules claim by name; for a kind's group, its objects."""
    kind: str | None = None
    """The object kind of a kind group (`Types`: `type`); None for a domain of tables."""


@dataclass(frozen=True)
class DomainMap:
    """Every loaded relation assigned to exactly one domain."""

    domains: tuple[Domain, ...]
    by_table: dict[str, str] = field(default_factory=dict)
    """qualified table name -> domain name."""
    by_object: dict[ObjectRef, str] = field(default_factory=dict)
    """Function, type, … -> the name of the domain or kind group listing it."""
    kind_groups: tuple[Domain, ...] = ()
    """After the domains of tables: one group per object kind (Functions, Types, …) with
    the objects no domain claims by name. Apart from `domains`, which hold tables."""
    reasons: dict[str, str] = field(default_factory=dict)
    """qualified table name -> why it sits in its domain (`by name rule`, `FK → ventures`,
    `plural: agents ~ agent_`, `prefix adam_`, `no rule matched`)."""

    @property
    def groups(self) -> tuple[Domain, ...]:
        """The domains, then the kind groups: what the explorer's tree lists."""
        return self.domains + self.kind_groups

    def domain_of(self, table: Table) -> str:
        return self.by_table.get(table.qualified_name, OTHER)

    def reason_of(self, table: Table) -> str:
        """Why the table sits in its domain; empty for a table this map does not hold."""
        return self.reasons.get(table.qualified_name, "")

    def get(self, name: str) -> Domain | None:
        return next((d for d in self.domains if d.name == name), None)


def _prefix(name: str) -> str | None:
    head, sep, _ = name.partition("_")
    return f"{head}_" if sep and head else None


def _singular_stems(name: str) -> tuple[str, ...]:
    """`name` with its first word made singular, as a domain prefix would spell it:
    `agents` -> `agent_`, `ventures_kill_log` -> `venture_kill_log`, `policies_x` ->
    `policy_x` (and `policie_x`, `polici_x`: every plausible singular, longest first)."""
    head, _, rest = name.partition("_")
    tail = f"_{rest}" if rest else "_"
    stems: list[str] = []
    if head.endswith("ies") and len(head) > 3:
        stems.append(head[:-3] + "y")
    if head.endswith("es") and len(head) > 2:
        stems.append(head[:-1])
        stems.append(head[:-2])
    elif head.endswith("s") and not head.endswith("ss") and len(head) > 1:
        stems.append(head[:-1])
    return tuple(stem + tail for stem in stems)


class Relation(Protocol):
    """What grouping needs of a relation: a Table, or a RelationName from the cache's index."""

    @property
    def schema(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def qualified_name(self) -> str: ...

    @property
    def is_view(self) -> bool: ...

    @property
    def references(self) -> tuple[str, ...]:
        """`schema.table` of each foreign key's target."""
        ...


R = TypeVar("R", bound=Relation)


BY_NAME = "by name rule"
"""Why a table sits in a domain whose rules name it or match its prefix."""


@dataclass(frozen=True)
class _Group(Generic[R]):
    name: str
    description: str
    members: list[R]
    missing_key_tables: tuple[str, ...] = ()
    is_readme_domain: bool = False
    prefix: str | None = None
    """The name prefix of a prefix group (`eva_`), for the functions that share it."""


def _first_rule(rules: Sequence[DomainRule]) -> Callable[[str], DomainRule | None]:
    """`next(r for r in rules if r.matches(name))` as a function, made once for many names:
    a dict for the named tables, then only the rules before that one tried by prefix."""
    named: dict[str, int] = {}
    for position, rule in enumerate(rules):
        for table_name in (*rule.key_tables, *rule.tables):
            named.setdefault(table_name, position)

    def first(name: str) -> DomainRule | None:
        limit = named.get(name, len(rules))
        for rule in rules[:limit]:
            if name.startswith(rule.prefixes):
                return rule
        return rules[limit] if limit < len(rules) else None

    return first


def _plural_rule(
    name: str, first_rule: Callable[[str], DomainRule | None]
) -> tuple[DomainRule, str] | None:
    """The rule that claims `name` once its first word is singular, and that stem."""
    for stem in _singular_stems(name):
        if rule := first_rule(stem):
            return rule, stem
    return None


def _by_foreign_key(
    table: Relation, placed: Mapping[str, int], rules: Sequence[DomainRule]
) -> tuple[DomainRule, str] | None:
    """The named domain most of the table's foreign keys point into (ties: the earlier
    domain), and the first table they reference there; self-references do not count."""
    counts: dict[int, int] = {}
    first_target: dict[int, str] = {}
    for target in table.references:
        position = placed.get(target)
        if position is None or target == table.qualified_name:
            continue
        counts[position] = counts.get(position, 0) + 1
        first_target.setdefault(position, target)
    if not counts:
        return None
    best = min(counts, key=lambda p: (-counts[p], p))
    return rules[best], first_target[best].partition(".")[2]


def _prefix_groups(
    tables: Iterable[R], minimum: int, groups: dict[str, list[R]], reasons: dict[str, str]
) -> list[R]:
    """Put in `groups` the tables whose prefix at least `minimum` of them share; return the
    others."""
    with_prefix = [(table, _prefix(table.name)) for table in tables]
    counts: dict[str, int] = {}
    for _, prefix in with_prefix:
        if prefix:
            counts[prefix] = counts.get(prefix, 0) + 1
    rest: list[R] = []
    for table, prefix in with_prefix:
        if prefix and counts[prefix] >= minimum:
            groups.setdefault(prefix, []).append(table)
            reasons[table.qualified_name] = f"prefix {prefix}"
        else:
            rest.append(table)
    return rest


def _groups(
    relations: Iterable[R], schemas: Sequence[str], settings: DomainSettings
) -> tuple[list[_Group[R]], dict[str, str]]:
    """The domains of relations, each with its members in the order given, and why each
    relation sits where it does (qualified name -> a short reason).

    The rules, in order: a domain's name rule (listed tables, prefixes); a prefix that
    `prefix_group_min` of the tables left share; a foreign key into a table a domain's name
    rule placed (the domain most keys point into, ties by domain order); the name with its
    first word made singular (`agents`, `ventures_kill_log`); a prefix that
    `small_prefix_group_min` of the tables still left share; Other.
    """
    rules = settings.rules
    first_rule = _first_rule(rules)
    position_of = {rule.name: position for position, rule in enumerate(rules)}
    primary_schema = schemas[0] if schemas else "public"
    order: dict[int, int] = {}
    """id() of each relation -> its position: the groups keep the order given."""
    assigned: dict[str, list[R]] = {rule.name: [] for rule in rules}
    reasons: dict[str, str] = {}
    placed: dict[str, int] = {}
    leftovers: list[R] = []
    views: list[R] = []
    by_schema: dict[str, list[R]] = {}
    present: set[str] = set()
    for table in relations:
        qualified = table.qualified_name
        order[id(table)] = len(order)
        if table.schema == primary_schema:
            present.add(table.name)
        if table.is_view:
            views.append(table)
            reasons[qualified] = "a view"
        elif table.schema != primary_schema:
            by_schema.setdefault(f"Schema {table.schema}", []).append(table)
            reasons[qualified] = f"schema {table.schema}"
        elif rule := first_rule(table.name):
            assigned[rule.name].append(table)
            placed[qualified] = position_of[rule.name]
            reasons[qualified] = BY_NAME
        else:
            leftovers.append(table)

    prefix_groups: dict[str, list[R]] = {}
    rest = _prefix_groups(leftovers, settings.prefix_group_min, prefix_groups, reasons)
    unplaced: list[R] = []
    for table in rest:
        if found := _by_foreign_key(table, placed, rules):
            rule, target = found
            reasons[table.qualified_name] = f"FK → {target}"
        elif found := _plural_rule(table.name, first_rule):
            rule, stem = found
            reasons[table.qualified_name] = (
                f"plural: {_prefix(table.name) or table.name} ~ {_prefix(stem)}"
            )
        else:
            unplaced.append(table)
            continue
        assigned[rule.name].append(table)
    other = _prefix_groups(unplaced, settings.small_prefix_group_min, prefix_groups, reasons)
    for table in other:
        reasons[table.qualified_name] = "no rule matched"

    def in_order(members: list[R]) -> list[R]:
        return sorted(members, key=lambda t: order[id(t)])

    groups: list[_Group[R]] = [
        _Group(
            rule.name,
            rule.description,
            in_order(assigned[rule.name]),
            tuple(k for k in rule.key_tables if k not in present),
            rule in README_DOMAINS or bool(rule.key_tables),
        )
        for rule in rules
    ]
    for prefix in sorted(prefix_groups, key=lambda p: (-len(prefix_groups[p]), p)):
        members = in_order(prefix_groups[prefix])
        groups.append(_Group(f"{prefix}*", f"tables named {prefix}…", members, prefix=prefix))
    if other:
        groups.append(_Group(OTHER, "tables no rule, foreign key or prefix claims", other))
    if views:
        groups.append(_Group(VIEWS, "views and materialized views", views))
    for name in sorted(by_schema):
        groups.append(_Group(name, "tables of another schema", by_schema[name]))
    return groups, reasons


def classify(catalog: Catalog, settings: DomainSettings | None = None) -> DomainMap:
    """Assign every relation of the catalog to a domain.

    Tables of the first loaded schema go by the rules of `_groups` (name, frequent prefix,
    foreign key, plural, small prefix group, Other); views go to Views; other schemas'
    tables are grouped by schema, so that they stay reachable.
    """
    from ehgtui.catalog.objects import ref_of

    settings = settings or DomainSettings()
    groups, reasons = _groups(catalog.tables, catalog.schemas, settings)
    domains = [
        Domain(g.name, g.description, tuple(g.members), g.missing_key_tables, g.is_readme_domain)
        for g in groups
    ]
    primary_schema = catalog.schemas[0] if catalog.schemas else "public"
    prefixes = {g.prefix for g in groups if g.prefix is not None}
    kind_groups = _add_objects(catalog, domains, settings, primary_schema, prefixes)
    by_table = {t.qualified_name: d.name for d in domains for t in d.tables}
    by_object = {ref_of(o): d.name for d in (*domains, *kind_groups) for o in d.objects}
    return DomainMap(tuple(domains), by_table, by_object, kind_groups, reasons)


def domain_names(
    relations: Iterable[Relation], schemas: Sequence[str], settings: DomainSettings | None = None
) -> dict[str, str]:
    """`classify`'s domain name of each relation (by qualified name), from names, kinds and
    foreign-key targets alone: what a lookup of one table needs, without the other tables'
    contents."""
    return {q: name for q, (name, _) in domain_reasons(relations, schemas, settings).items()}


def domain_reasons(
    relations: Iterable[Relation], schemas: Sequence[str], settings: DomainSettings | None = None
) -> dict[str, tuple[str, str]]:
    """`domain_names`, with why each relation sits there: qualified name -> (domain, reason)."""
    groups, reasons = _groups(relations, schemas, settings or DomainSettings())
    return {
        t.qualified_name: (g.name, reasons[t.qualified_name]) for g in groups for t in g.members
    }


def _add_objects(
    catalog: Catalog,
    domains: list[Domain],
    settings: DomainSettings,
    primary_schema: str,
    prefixes: set[str],
) -> tuple[Domain, ...]:
    """Put each function in the domain its name matches (by the tables' rules, then their
    prefix groups); return the kind groups: the other functions, and every other object."""
    from ehgtui.catalog.objects import OBJECT_KINDS, objects_of

    first_rule = _first_rule(settings.rules)
    claimed: dict[str, list[SchemaObject]] = {}
    unclaimed: list[Function] = []
    for function in catalog.functions:
        name = _function_domain(function, first_rule, primary_schema, prefixes)
        if name is None:
            unclaimed.append(function)
        else:
            claimed.setdefault(name, []).append(function)
    for index, domain in enumerate(domains):
        if domain.name in claimed:
            objects = tuple(sorted(claimed[domain.name], key=_function_order))
            domains[index] = replace(domain, objects=objects)
    groups: list[Domain] = []
    for kind in OBJECT_KINDS:
        objects = tuple(unclaimed) if kind == "function" else objects_of(catalog, kind)
        if objects:
            described = f"{KIND_GROUPS[kind].lower()} no domain claims by name"
            groups.append(Domain(KIND_GROUPS[kind], described, (), objects=objects, kind=kind))
    return tuple(groups)


def _function_domain(
    function: Function,
    first_rule: Callable[[str], DomainRule | None],
    primary_schema: str,
    prefixes: set[str],
) -> str | None:
    if function.schema != primary_schema:
        return None
    found = first_rule(function.name) or _plural_rule(function.name, first_rule)
    if found is not None:
        return found.name if isinstance(found, DomainRule) else found[0].name
    prefix = _prefix(function.name)
    return f"{prefix}*" if prefix in prefixes else None


def _function_order(function: SchemaObject) -> tuple[str, str]:
    return (function.name, getattr(function, "identity_arguments", ""))


def first_table(catalog: Catalog, settings: DomainSettings, domain_map: DomainMap) -> str | None:
    """The table to show first: the README's first key table that exists, else any table."""
    for rule in settings.rules:
        for name in rule.key_tables:
            table = catalog.table(name)
            if table is not None:
                return table.qualified_name
    for domain in domain_map.domains:
        if domain.tables:
            return min(domain.tables, key=lambda t: t.name).qualified_name
    return None
