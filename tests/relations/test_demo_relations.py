"""Relations on the demo schema: the real fan-in onto strategic_directives_v2."""

from __future__ import annotations

import pytest

from ehgtui.catalog.domains import classify
from ehgtui.catalog.model import Catalog
from ehgtui.relations.diagram import diagram_for_tables
from ehgtui.relations.mermaid import to_mermaid
from ehgtui.relations.neighbourhood import neighbourhood
from ehgtui.relations.picture import render_picture
from tests.pg import TestServer
from tests.relations.conftest import load
from tests.relations.test_exports import check_mermaid
from tests.relations.test_neighbourhood import catalog_edges

SD = "public.strategic_directives_v2"


@pytest.fixture(scope="module")
async def demo_catalog(pg18: TestServer) -> Catalog:
    return await load(pg18, pg18.demo_database())


def test_strategic_directives_fan_in_is_grouped_and_adds_up(demo_catalog: Catalog) -> None:
    nb = neighbourhood(demo_catalog, SD, domains=classify(demo_catalog))
    got = {(e.source, e.constraint_name, e.target, ",".join(e.columns)) for e in nb.edges}
    assert got == catalog_edges(demo_catalog, SD)
    referencing = {n.name for n in nb.referenced_by}
    assert len(referencing) > 50
    assert nb.is_grouped
    assert sum(g.count for g in nb.groups) == len(referencing)
    assert {m for g in nb.groups for m in g.members} == referencing
    groups = {g.domain: g for g in nb.groups}
    assert groups["Strategic Directives"].count >= 2


@pytest.mark.parametrize("width", [80, 120])
def test_demo_picture_is_small_and_fits(demo_catalog: Catalog, width: int) -> None:
    nb = neighbourhood(demo_catalog, SD)
    picture = render_picture(nb, width)
    assert picture.width <= width
    assert len(picture.boxes) == 1 + len(nb.groups) + len(nb.references)
    ungrouped = render_picture(neighbourhood(demo_catalog, SD, group_threshold=10_000), width)
    assert len(ungrouped.boxes) == len(nb.nodes)


def test_demo_mermaid_is_well_formed(demo_catalog: Catalog) -> None:
    diagram = diagram_for_tables(demo_catalog, ["strategic_directives_v2"], depth=1)
    counts = check_mermaid(to_mermaid(diagram))
    assert counts["relationship"] == len(diagram.edges) > 50
