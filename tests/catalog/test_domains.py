"""Domain classification on the demo schema, missing key tables, and TOML overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from ehgtui.catalog.domains import (
    OTHER,
    README_DOMAINS,
    DomainConfigError,
    DomainRule,
    DomainSettings,
    classify,
    domain_names,
    load_domain_settings,
)
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
