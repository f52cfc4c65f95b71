"""The domain rules in force: the README's eight domains with their prefixes and key tables,
the prefix-group thresholds, and their override from a TOML file (`.ehgtui.toml` in the project
directory, else `config.toml` in the user config directory) with a `[domains]` table, e.g.:

    [domains."Strategic Directives"]
    prefixes = ["sd_", "strategic_"]
    tables = ["strategic_directives_v2"]
    key_tables = ["strategic_directives_v2", "sd_phase_handoffs"]

A domain named in the file replaces the built-in domain of that name; new names are appended.
`prefix_group_min` (top level) sets how many tables a prefix needs to become its own group
before foreign keys are followed, `small_prefix_group_min` how many of the tables still left
after them. `domains.py` applies them (see `_groups` there for the order of the rules).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX_GROUP_MIN = 5
"""A prefix shared by at least this many tables the name rules leave becomes a group of its
own, before the foreign keys are followed (so that `eva_*` stays whole)."""

SMALL_PREFIX_GROUP_MIN = 3
"""A prefix shared by at least this many of the tables that neither a name, a foreign key
nor a plural places becomes a group of its own (`adam_*`, `brand_*`)."""


@dataclass(frozen=True)
class DomainRule:
    """How a README domain recognises its tables."""

    name: str
    description: str
    key_tables: tuple[str, ...]
    """The tables the README names for this domain, in its order."""
    prefixes: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    """Extra tables that belong here whatever their prefix."""

    def matches(self, table_name: str) -> bool:
        return (
            table_name in self.key_tables
            or table_name in self.tables
            or table_name.startswith(self.prefixes)
        )


README_DOMAINS: tuple[DomainRule, ...] = (
    DomainRule(
        "Strategic Directives",
        "SD lifecycle and phase management",
        ("strategic_directives_v2", "sd_phase_handoffs", "sd_backlog_map"),
        ("sd_", "strategic_directive"),
    ),
    DomainRule(
        "Product Requirements",
        "PRD tracking and quality gates",
        ("product_requirements_v2", "prd_quality_scores"),
        ("prd_", "product_requirement"),
    ),
    DomainRule(
        "LEO Protocol",
        "Protocol configuration",
        ("leo_protocols", "leo_sub_agents", "leo_protocol_sections"),
        ("leo_",),
    ),
    DomainRule(
        "Agent System",
        "AI agent coordination",
        ("agent_artifacts", "agent_task_contracts", "agent_runs"),
        ("agent_",),
    ),
    DomainRule(
        "Quality & Retrospectives",
        "Quality gates and learning",
        ("retrospectives", "ai_quality_assessments", "lessons_learned"),
        ("retro", "ai_quality_", "quality_"),
    ),
    DomainRule(
        "Compliance",
        "Governance enforcement",
        ("compliance_policies", "circuit_breaker_blocks"),
        ("compliance_", "circuit_breaker"),
    ),
    DomainRule(
        "Skills & Patterns",
        "Skill management",
        ("skills_inventory", "skill_assignments", "failure_patterns"),
        ("skill", "pattern_", "failure_pattern"),
    ),
    DomainRule(
        "Ventures",
        "Venture portfolio",
        ("ventures", "venture_stages", "venture_artifacts"),
        ("venture_",),
    ),
)
"""The eight domains of the database README, with their key tables, in README order."""


@dataclass(frozen=True)
class DomainSettings:
    """The rules in force: README domains (maybe overridden) and the prefix threshold."""

    rules: tuple[DomainRule, ...] = README_DOMAINS
    prefix_group_min: int = PREFIX_GROUP_MIN
    small_prefix_group_min: int = SMALL_PREFIX_GROUP_MIN
    source: str | None = None
    """The TOML file the rules came from, if any."""


class DomainConfigError(ValueError):
    """The domain rules file is malformed; the message names the file and the problem."""


def _as_str_tuple(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DomainConfigError(f"{where}: expected a list of strings")
    return tuple(value)


def settings_from_toml(data: Mapping[str, Any], source: str) -> DomainSettings:
    """Build domain settings from a parsed TOML document (its `[domains]` tables)."""
    rules = {r.name: r for r in README_DOMAINS}
    order = [r.name for r in README_DOMAINS]
    section = data.get("domains", {})
    if not isinstance(section, dict):
        raise DomainConfigError(f"{source}: [domains] must be a table")
    for name, spec in section.items():
        if not isinstance(spec, dict):
            raise DomainConfigError(f"{source}: [domains.{name}] must be a table")
        where = f"{source}: domains.{name}"
        rules[name] = DomainRule(
            name=name,
            description=str(
                spec.get("description", rules[name].description if name in rules else "")
            ),
            key_tables=_as_str_tuple(spec.get("key_tables"), f"{where}.key_tables"),
            prefixes=_as_str_tuple(spec.get("prefixes"), f"{where}.prefixes"),
            tables=_as_str_tuple(spec.get("tables"), f"{where}.tables"),
        )
        if name not in order:
            order.append(name)
    thresholds = []
    for key, default in (
        ("prefix_group_min", PREFIX_GROUP_MIN),
        ("small_prefix_group_min", SMALL_PREFIX_GROUP_MIN),
    ):
        threshold = data.get(key, default)
        if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
            raise DomainConfigError(f"{source}: {key} must be a positive integer")
        thresholds.append(threshold)
    frequent, small = thresholds
    return DomainSettings(tuple(rules[n] for n in order), frequent, small, source)


def load_domain_settings(paths: Iterable[Path]) -> DomainSettings:
    """Read the first existing file among paths; the built-in rules when there is none."""
    for path in paths:
        if path.is_file():
            import tomllib  # only with a file to read: 10 ms of every start otherwise

            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise DomainConfigError(f"{path}: {exc}") from None
            return settings_from_toml(data, str(path))
    return DomainSettings()
