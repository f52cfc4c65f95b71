"""The neighbourhood model against the catalog: every FK in both directions, rings, groups."""

from __future__ import annotations

import pytest

from ehgtui.catalog.domains import classify
from ehgtui.catalog.model import Catalog
from ehgtui.relations.neighbourhood import (
    REFERENCED_BY,
    REFERENCES,
    UnknownTableError,
    neighbourhood,
)
from tests.relations.fixture import FAN_IN

SD = "public.strategic_directives_v2"


def catalog_edges(catalog: Catalog, name: str) -> set[tuple[str, str, str, str]]:
    """(source, constraint, target, columns) of every FK touching `name`, read from the catalog
    directly: its own FKs and every other table's FKs that point at it."""
    found = set()
    for table in catalog.tables:
        for fk in table.foreign_keys:
            target = f"{fk.ref_schema}.{fk.ref_table}"
            if name in (table.qualified_name, target):
                found.add((table.qualified_name, fk.name, target, ",".join(fk.columns)))
    return found


def test_edges_equal_the_catalog_fks_in_both_directions(catalog: Catalog) -> None:
    nb = neighbourhood(catalog, "strategic_directives_v2")
    got = {(e.source, e.constraint_name, e.target, ",".join(e.columns)) for e in nb.edges}
    assert got == catalog_edges(catalog, SD)
    neighbours = {s for s, _, t, _ in got} | {t for s, _, t, _ in got}
    assert {n.name for n in nb.nodes} == neighbours
    assert nb.selected.name == SD and nb.nodes[0] is nb.selected


def test_sides_self_references_and_parallel_fks_stay_apart(catalog: Catalog) -> None:
    nb = neighbourhood(catalog, SD)
    assert [n.name for n in nb.references] == ["public.users"]
    assert {n.name for n in nb.referenced_by} == {
        "public.order items",
        "public.sd_backlog_map",
        "public.sd_charter",
        "public.sd_phase_handoffs",
    }
    # two FKs strategic_directives_v2 -> users, plus users -> strategic_directives_v2 back
    between = nb.edges_between(SD, "public.users")
    assert sorted(e.column_label for e in between) == [
        "favourite_sd_id → id",
        "owner_id → id",
        "reviewer_id → id",
    ]
    assert sorted(e.label for e in nb.self_references) == [
        "parent_sd_id → id",
        "supersedes_id → id ON DELETE SET NULL",
    ]
    reviewer = next(e for e in between if e.columns == ("reviewer_id",))
    assert reviewer.actions == ("ON DELETE SET NULL", "ON UPDATE CASCADE")
    handoff = nb.edges_between(SD, "public.sd_phase_handoffs")
    assert [e.label for e in handoff] == ["sd_id → id ON DELETE CASCADE"]


def test_key_columns_are_the_pk_and_fk_columns(catalog: Catalog) -> None:
    nb = neighbourhood(catalog, SD)
    keys = {k.name: k for k in nb.key_columns}
    assert list(keys) == ["id", "parent_sd_id", "supersedes_id", "owner_id", "reviewer_id"]
    assert keys["id"].primary_key and not keys["id"].references
    assert keys["owner_id"].references == ("users.id",) and keys["owner_id"].not_null


def test_composite_fk_is_one_edge(catalog: Catalog) -> None:
    nb = neighbourhood(catalog, "phase_steps")
    [edge] = nb.edges
    assert edge.columns == ("sd_id", "phase_no") and edge.ref_columns == ("sd_id", "phase_no")
    assert edge.label == "sd_id, phase_no → sd_id, phase_no ON DELETE CASCADE"


def test_depth_two_adds_exactly_the_second_ring(catalog: Catalog) -> None:
    one = neighbourhood(catalog, SD, depth=1)
    two = neighbourhood(catalog, SD, depth=2)
    ring_one = {n.name for n in one.nodes}
    expected = set()
    for name in ring_one - {SD}:
        expected |= {t for s, _, t, _ in catalog_edges(catalog, name)}
        expected |= {s for s, _, t, _ in catalog_edges(catalog, name)}
    expected -= ring_one
    assert {n.name for n in two.second_ring} == expected
    assert expected == {"public.end", "public.handoff_notes", "public.orgs"}
    assert {n.name for n in two.nodes} == ring_one | expected
    assert [n for n in two.nodes if n.ring < 2] == [n for n in one.nodes]
    assert set(one.edges) <= set(two.edges)
    assert two.node("public.orgs").via == ("public.users",)  # type: ignore[union-attr]


def test_grouping_above_the_threshold_counts_add_up(catalog: Catalog) -> None:
    domains = classify(catalog)
    nb = neighbourhood(catalog, "ventures", domains=domains)
    referencing = {s for s, _, t, _ in catalog_edges(catalog, "public.ventures")}
    assert nb.is_grouped
    assert {g.domain: g.count for g in nb.groups} == FAN_IN
    assert sum(g.count for g in nb.groups) == len(referencing) == 30
    assert {m for g in nb.groups for m in g.members} == referencing
    assert [g.label for g in nb.groups] == ["Ventures (18)", "Agent System (8)", "Compliance (4)"]
    assert nb.hidden() == referencing


def test_threshold_and_expansion(catalog: Catalog) -> None:
    assert not neighbourhood(catalog, "ventures", group_threshold=30).is_grouped
    assert neighbourhood(catalog, "ventures", group_threshold=29).is_grouped
    nb = neighbourhood(catalog, "ventures", expanded_groups=["Compliance"])
    other = next(g for g in nb.groups if g.domain == "Compliance")
    assert other.expanded and not any(g.expanded for g in nb.groups if g is not other)
    assert nb.hidden().isdisjoint(other.members)
    assert len(nb.referenced_by) == 30  # grouping never removes a table from the model


def test_mutual_reference_sits_on_the_references_side(catalog: Catalog) -> None:
    nb = neighbourhood(catalog, "users")
    sides = {n.name: n.side for n in nb.nodes[1:]}
    assert sides == {"public.orgs": REFERENCES, SD: REFERENCES}
    assert REFERENCED_BY not in sides.values()


def test_lonely_table_and_bad_input(catalog: Catalog) -> None:
    nb = neighbourhood(catalog, "lonely")
    assert nb.nodes == (nb.selected,) and nb.edges == ()
    with pytest.raises(UnknownTableError, match="no table named 'nope'"):
        neighbourhood(catalog, "nope")
    with pytest.raises(ValueError, match="depth"):
        neighbourhood(catalog, "lonely", depth=3)
