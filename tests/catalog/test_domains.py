"""Domain classification on the demo schema, missing key tables, and TOML overrides."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ehgtui.catalog.domain_settings import (
    README_DOMAINS,
    DomainConfigError,
    DomainRule,
    DomainSettings,
    load_domain_settings,
)
from ehgtui.catalog.domains import OTHER, classify, domain_names, domain_reasons
from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog, RelationName
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from tests.pg import TestServer


@pytest.fixture(scope="module")
async def demo_catalog(pg18: TestServer) -> Catalog:
    pool = await create_pool(ConnectionTarget(pg18.dsn(pg18.demo_database()), "test"))
    try:
        return await load_catalog(pool, ("public", "storage"))
    finally:
        await pool.close()


def test_every_table_in_exactly_one_domain(demo_catalog: Catalog) -> None:
    domains = classify(demo_catalog)
    placed = [t.qualified_name for d in domains.domains for t in d.tables]
    assert sorted(placed) == sorted(t.qualified_name for t in demo_catalog.tables)
    names = [d.name for d in domains.domains]
    assert names[:8] == [r.name for r in README_DOMAINS]
    assert "eva_*" in names and "chairman_*" in names
    assert "Schema storage" in names


def test_missing_key_tables_are_reported_not_dropped(demo_catalog: Catalog) -> None:
    domains = classify(demo_catalog)
    missing = {name for d in domains.domains for name in d.missing_key_tables}
    assert missing == {
        "prd_quality_scores",
        "agent_runs",
        "lessons_learned",
        "skills_inventory",
        "skill_assignments",
    }
    skills = domains.get("Skills & Patterns")
    assert skills is not None and "failure_patterns" in {t.name for t in skills.tables}


def test_toml_override_moves_tables(demo_catalog: Catalog, tmp_path: Path) -> None:
    config = tmp_path / ".ehgtui.toml"
    config.write_text(
        "prefix_group_min = 1000\nsmall_prefix_group_min = 1000\n"
        '[domains."Evaluation"]\nprefixes = ["eva_"]\nkey_tables = ["eva_nonexistent"]\n'
    )
    settings = load_domain_settings([config])
    domains = classify(demo_catalog, settings)
    evaluation = domains.get("Evaluation")
    assert evaluation is not None
    assert len(evaluation.tables) >= 67
    assert all(t.name.startswith("eva_") for t in evaluation.tables)
    assert evaluation.missing_key_tables == ("eva_nonexistent",)
    assert domains.get("chairman_*") is None  # threshold raised: prefixes fall to Other
    other = domains.get(OTHER)
    assert other is not None and any(t.name.startswith("chairman_") for t in other.tables)


def test_malformed_toml_is_a_one_line_error(tmp_path: Path) -> None:
    config = tmp_path / ".ehgtui.toml"
    config.write_text('[domains."X"]\nprefixes = "sd_"\n')
    with pytest.raises(DomainConfigError, match="prefixes: expected a list"):
        load_domain_settings([config])


def test_names_alone_give_the_same_domains(demo_catalog: Catalog) -> None:
    """`domain_names` (what describe uses with the cache's index) agrees with classify, with
    the built-in rules and with rules that overlap: the first rule that names a table or
    matches its prefix wins, whichever way it matches."""
    names = [RelationName(t.schema, t.name, t.kind, t.references) for t in demo_catalog.tables]
    assert domain_names(names, demo_catalog.schemas) == classify(demo_catalog).by_table
    reasons = {q: why for q, (_, why) in domain_reasons(names, demo_catalog.schemas).items()}
    assert reasons == classify(demo_catalog).reasons
    overlapping = DomainSettings(
        (
            DomainRule("Prefix first", "", (), ("sd_",)),
            DomainRule("Named", "", ("sd_phase_handoffs", "ventures"), ("leo_",)),
            DomainRule("Named later", "", ("leo_protocols",), (), ("venture_stages",)),
            DomainRule("Prefix later", "", (), ("venture",)),
        ),
        prefix_group_min=3,
    )
    by_table = classify(demo_catalog, overlapping).by_table
    assert domain_names(names, demo_catalog.schemas, overlapping) == by_table
    assert by_table["public.sd_phase_handoffs"] == "Prefix first"
    assert by_table["public.ventures"] == "Named"
    assert by_table["public.leo_protocols"] == "Named"
    assert by_table["public.venture_stages"] == "Named later"


OTHER_SHARE_SENTENCE = re.compile(
    r"\*Other\*\s+holds\s+(\d+)\s+of\s+the\s+demo's\s+(\d+)\s+tables\s+of\s+`public`"
)


def test_other_is_at_most_15_percent_of_the_demo_and_the_readme_says_how_much(
    demo_catalog: Catalog,
) -> None:
    """The demo is shaped like the live schema's tables no name claims (keys into Ventures
    and Strategic Directives, small prefix families, plurals); the rules leave at most 15%
    of its tables in Other, and the README's domain section gives the figure."""
    domains = classify(demo_catalog)
    public = [t for t in demo_catalog.tables if t.schema == "public" and not t.is_view]
    other = domains.get(OTHER)
    assert other is not None
    assert len(other.tables) <= 0.15 * len(public)
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    stated = OTHER_SHARE_SENTENCE.search(readme)
    assert stated is not None, "the README's domain section states Other's share of the demo"
    assert (int(stated[1]), int(stated[2])) == (len(other.tables), len(public))


def test_the_demo_cases_land_where_the_rules_say(demo_catalog: Catalog) -> None:
    domains = classify(demo_catalog)

    def placed(name: str) -> tuple[str, str]:
        table = demo_catalog.table(name)
        assert table is not None, name
        return domains.domain_of(table), domains.reason_of(table)

    assert placed("strategic_directives_v2") == ("Strategic Directives", "by name rule")
    assert placed("agents") == ("Agent System", "plural: agents ~ agent_")
    assert placed("ventures_kill_log") == ("Ventures", "plural: ventures_ ~ venture_")
    assert placed("exit_readiness_reviews") == ("Ventures", "FK → ventures")
    domain, reason = placed("scope_creep_alerts")
    assert domain == "Strategic Directives" and reason.startswith("FK → sd")
    assert placed("protocol_amendments") == ("LEO Protocol", "FK → leo_protocols")
    assert placed("eva_sessions") == ("eva_*", "prefix eva_")
    for family, size in (("adam_", 4), ("aegis_", 4), ("brainstorm_", 3), ("brand_", 4)):
        group = domains.get(f"{family}*")
        assert group is not None and len(group.tables) == size, family
        assert {domains.reason_of(t) for t in group.tables} == {f"prefix {family}"}
    # a frequent prefix stays whole although some of its tables have keys into Ventures
    eva = domains.get("eva_*")
    assert eva is not None and len(eva.tables) == 67
    assert any("public.ventures" in t.references for t in eva.tables)
    # the functions still go by name: sd_ functions sit with Strategic Directives
    sd = domains.get("Strategic Directives")
    assert sd is not None and sd.objects and all(o.name.startswith("sd_") for o in sd.objects)


def test_the_demo_is_the_live_schema_s_size(demo_catalog: Catalog) -> None:
    """About the live schema's 966 tables, 13,300 columns, 3,900 indexes, 1,975 policies,
    760 functions, 45 enums and 47 sequences (within 10%)."""
    public = [t for t in demo_catalog.tables if t.schema == "public"]
    tables = [t for t in public if not t.is_view]
    assert len(tables) == 966
    sizes = {
        "columns": (sum(len(t.columns) for t in tables), 13_300),
        "indexes": (sum(len(t.indexes) for t in public), 3_900),
        "policies": (sum(len(t.policies) for t in tables), 1_975),
        "functions": (sum(f.schema == "public" for f in demo_catalog.functions), 760),
        "enums": (sum(t.kind == "enum" for t in demo_catalog.types), 45),
        "sequences": (sum(s.schema == "public" for s in demo_catalog.sequences), 47),
    }
    for what, (count, live) in sizes.items():
        assert abs(count - live) <= live / 10, (what, count, live)
