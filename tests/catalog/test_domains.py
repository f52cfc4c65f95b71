"""Domain classification on the demo schema, missing key tables, and TOML overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from ehgtui.catalog.domains import (
    OTHER,
    README_DOMAINS,
    DomainConfigError,
    classify,
    load_domain_settings,
)
from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
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
        'prefix_group_min = 1000\n[domains."Evaluation"]\nprefixes = ["eva_"]\n'
        'key_tables = ["eva_nonexistent"]\n'
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
