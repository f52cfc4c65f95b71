"""The tables that make the demo as large as the live schema, shaped like its "Other" tables.

On the live schema (966 tables) the tables no domain name and no frequent prefix claims are
mostly of three kinds, and the demo gets each, so that the domain rules are tried on what
they must sort there:

- tables whose only tie to a domain is a foreign key: 53 point into Ventures and 41 into
  Strategic Directives live. `linked_tables` gives some of the demo's existing lone tables
  such a key, and `LINKED_TABLES` adds new ones;
- small families of 3-4 tables sharing a prefix (`adam_*`, `aegis_*`, `brainstorm_*`,
  `brand_*`): `SMALL_FAMILIES`, and `third_members`, which gives some existing pairs a third;
- names that miss a domain by a plural (`agents` for `agent_*`, `ventures_kill_log` for
  `venture_*`): `PLURAL_TABLES`.

Pure data and `random.Random` with fixed seeds: the same names on every call.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from ehgtui.demo.schema_names import RARE_PREFIXES

LIVE_PUBLIC_TABLES = 966
"""How many tables schema public holds once these are added (the live count)."""

SMALL_FAMILIES: dict[str, str] = {
    "adam": "conversations directives memory_entries action_log",
    "aegis": "rules violations audit_entries overrides",
    "brainstorm": "sessions ideas votes",
    "brand": "guidelines voice_profiles assets",
    "nova": "experiments hypotheses outcomes",
    "orion": "scans targets findings",
    "atlas": "maps regions layers waypoints",
    "sentinel": "watches triggers incidents",
    "beacon": "signals subscribers deliveries",
    "forge": "builds artifacts recipes",
    "helix": "sequences strands mutations",
    "prism": "lenses perspectives reports",
    "quantum": "jobs circuits results",
    "horizon": "scans bets reviews forecasts",
}
"""New prefixes with 3-4 tables each, as on the live schema (`brand_` adds to one existing)."""

PLURAL_TABLES = ("agents", "agents_legacy_roster", "ventures_kill_log", "ventures_archive")
"""Names whose first word is a domain's prefix in the plural, with no foreign key."""

LINKED_TABLES: dict[str, str] = {
    "exit_readiness_reviews": "venture",
    "kill_gate_votes": "venture",
    "pitch_rehearsals": "venture",
    "capital_calls": "venture",
    "launch_checklists": "venture",
    "founder_journals": "venture",
    "moat_assessments": "venture",
    "unit_economics": "venture",
    "tam_estimates": "venture",
    "gtm_motions": "venture",
    "wedge_hypotheses": "venture",
    "spinout_requests": "venture",
    "equity_splits": "venture",
    "demo_day_slots": "venture",
    "traction_signals": "venture",
    "north_star_metrics": "venture",
    "scope_creep_alerts": "sd",
    "directive_dependencies": "sd",
    "execution_receipts": "sd",
    "lead_final_approvals": "sd",
    "phase_skip_requests": "sd",
    "orchestrator_leases": "sd",
    "rca_reports": "sd",
    "quick_fixes": "sd",
    "bypass_requests": "sd",
    "child_sd_templates": "sd",
    "worktree_claims": "sd",
    "protocol_amendments": "leo",
    "rubric_calibrations": "leo",
    "hook_registrations": "leo",
    "command_aliases": "leo",
}
"""New tables whose only tie to a named domain is one foreign key: `venture` points at
ventures, `sd` at strategic_directives_v2 (or another Strategic Directives table), `leo` at
leo_protocols."""

EXISTING_LINKS = 95
"""How many of the demo's existing lone tables get a foreign key into a named domain."""

THIRD_MEMBERS = 15
"""How many existing pairs of tables sharing a rare prefix get a third table."""

_THIRD_NOUNS = ("archive", "overrides", "exports", "snapshots_daily", "audit_entries")


def third_members(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """A third table for some rare prefixes that have exactly two: (name, prefix) pairs."""
    names = {n for n, _ in pairs}
    by_prefix: dict[str, list[str]] = {}
    for name, group in pairs:
        if group in RARE_PREFIXES:
            by_prefix.setdefault(group, []).append(name)
    twos = sorted(p for p, members in by_prefix.items() if len(members) == 2)
    chosen = random.Random("ehg-demo-third-members").sample(twos, THIRD_MEMBERS)
    out: list[tuple[str, str]] = []
    for prefix in sorted(chosen):
        name = next(f"{prefix}_{n}" for n in _THIRD_NOUNS if f"{prefix}_{n}" not in names)
        out.append((name, prefix))
    return out


def other_shaped_names(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every added table as (name, group): the small families, third members of pairs,
    the plural names and the tables linked by a key. Raises ValueError on a clash."""
    pairs = list(pairs)
    out: list[tuple[str, str]] = []
    for prefix, nouns in SMALL_FAMILIES.items():
        out.extend((f"{prefix}_{noun}", prefix) for noun in nouns.split())
    out.extend(third_members(pairs))
    out.extend((name, "") for name in PLURAL_TABLES)
    out.extend((name, "") for name in LINKED_TABLES)
    taken = {n for n, _ in pairs}
    for name, _ in out:
        if name in taken:
            raise ValueError(f"duplicate table name {name}")
        taken.add(name)
    return out
