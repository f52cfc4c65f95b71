"""The domain rules beyond names, on relations built from rows (no server): foreign keys into a
named domain, names that miss a domain by a plural, small prefix groups, and why each table
sits where it does."""

from __future__ import annotations

import random

from ehgtui.catalog.domain_settings import DomainSettings, settings_from_toml
from ehgtui.catalog.domains import OTHER, domain_reasons
from ehgtui.catalog.model import RelationName


def _table(name: str, *references: str) -> RelationName:
    return RelationName("public", name, "table", tuple(f"public.{r}" for r in references))


NAMED = [
    _table("strategic_directives_v2"),
    _table("sd_phase_handoffs", "strategic_directives_v2"),
    _table("ventures"),
    _table("venture_stages", "ventures"),
    _table("leo_protocols"),
    _table("agent_runs"),
]


def _placed(*tables: RelationName, settings: DomainSettings | None = None) -> dict[str, tuple]:
    found = domain_reasons([*NAMED, *tables], ["public"], settings)
    return {q.removeprefix("public."): v for q, v in found.items()}


def test_a_foreign_key_into_a_named_domain_joins_it() -> None:
    placed = _placed(
        _table("kill_log", "ventures"),
        _table("board_notes", "sd_phase_handoffs", "ventures", "strategic_directives_v2"),
        _table("tie", "ventures", "strategic_directives_v2"),
        _table("self_only", "self_only"),
        _table("to_unplaced", "kill_log"),
    )
    assert placed["kill_log"] == ("Ventures", "FK → ventures")
    # most keys point into Strategic Directives; the first of them is named
    assert placed["board_notes"] == ("Strategic Directives", "FK → sd_phase_handoffs")
    # one key each way: the earlier domain (README order) wins
    assert placed["tie"] == ("Strategic Directives", "FK → strategic_directives_v2")
    # a self-reference, and a key into a table placed only by its own key, do not count
    assert placed["self_only"] == (OTHER, "no rule matched")
    assert placed["to_unplaced"] == (OTHER, "no rule matched")
    assert placed["ventures"] == ("Ventures", "by name rule")


def test_a_key_into_another_schema_or_a_prefix_group_does_not_count() -> None:
    auth = RelationName("public", "profiles_x", "table", ("auth.users",))
    placed = _placed(
        auth,
        *(_table(f"eva_{n}") for n in ("a", "b", "c", "d", "e")),
        _table("digest", "eva_a"),
    )
    assert placed["profiles_x"][0] == OTHER
    assert placed["eva_a"] == ("eva_*", "prefix eva_")
    assert placed["digest"][0] == OTHER


def test_a_frequent_prefix_stays_whole_before_foreign_keys() -> None:
    eva = [_table(f"eva_{n}", "ventures") for n in ("a", "b", "c", "d", "e")]
    placed = _placed(*eva)
    assert {placed[t.name] for t in eva} == {("eva_*", "prefix eva_")}


def test_names_that_miss_a_domain_by_a_plural() -> None:
    placed = _placed(
        _table("agents"),
        _table("ventures_kill_log"),
        _table("leos_history"),
        _table("strategies"),
        _table("sds"),
        _table("status"),
    )
    assert placed["agents"] == ("Agent System", "plural: agents ~ agent_")
    assert placed["ventures_kill_log"] == ("Ventures", "plural: ventures_ ~ venture_")
    assert placed["leos_history"] == ("LEO Protocol", "plural: leos_ ~ leo_")
    assert placed["sds"] == ("Strategic Directives", "plural: sds ~ sd_")
    assert placed["strategies"][0] == OTHER  # strategy_ is no domain's prefix
    assert placed["status"][0] == OTHER  # `ss` is no plural


def test_a_foreign_key_comes_before_a_plural() -> None:
    placed = _placed(_table("ventures_sd_log", "strategic_directives_v2"))
    assert placed["ventures_sd_log"] == ("Strategic Directives", "FK → strategic_directives_v2")


def test_small_prefix_groups_form_from_what_is_left() -> None:
    placed = _placed(
        _table("adam_a"),
        _table("adam_b"),
        _table("adam_c"),
        _table("brand_a"),
        _table("brand_b"),
        _table("brand_c", "ventures"),
        _table("lonely_one"),
    )
    assert {placed[f"adam_{n}"] for n in "abc"} == {("adam_*", "prefix adam_")}
    # brand_c follows its key, which leaves two brand_ tables: too few for a group
    assert placed["brand_c"] == ("Ventures", "FK → ventures")
    assert placed["brand_a"] == placed["brand_b"] == (OTHER, "no rule matched")
    assert placed["lonely_one"] == (OTHER, "no rule matched")
    raised = settings_from_toml({"small_prefix_group_min": 4}, "test")
    assert _placed(_table("adam_a"), _table("adam_b"), _table("adam_c"), settings=raised)[
        "adam_a"
    ] == (OTHER, "no rule matched")


def test_the_result_does_not_depend_on_the_order_of_the_tables() -> None:
    tables = [
        *NAMED,
        _table("tie", "ventures", "strategic_directives_v2"),
        _table("agents"),
        _table("adam_a"),
        _table("adam_b"),
        _table("adam_c"),
        _table("ventures_kill_log", "ventures"),
        _table("x_y", "leo_protocols", "agent_runs"),
    ]
    expected = domain_reasons(tables, ["public"])
    for seed in range(5):
        shuffled = tables[:]
        random.Random(seed).shuffle(shuffled)
        assert domain_reasons(shuffled, ["public"]) == expected
    assert expected["public.x_y"] == ("LEO Protocol", "FK → leo_protocols")


def test_views_and_other_schemas_say_why() -> None:
    placed = domain_reasons(
        [RelationName("public", "v_sd", "view"), RelationName("auth", "users", "table")],
        ["public", "auth"],
    )
    assert placed["public.v_sd"] == ("Views", "a view")
    assert placed["auth.users"] == ("Schema auth", "schema auth")
