"""The fuzzy scorer behind the filter and the palette."""

from __future__ import annotations

from ehgtui.find.score import fuzzy_score, rank


def test_substring_beats_subsequence() -> None:
    assert fuzzy_score("dir", "strategic_directives_v2") > fuzzy_score(
        "sdv", "strategic_directives_v2"
    )


def test_exact_and_prefix_rank_first() -> None:
    names = ["sd_phase_handoffs", "strategic_directives_v2", "strategic_directives"]
    assert rank("strategic_directives", names, str) == [
        "strategic_directives",
        "strategic_directives_v2",
    ]
    assert rank("sdv2", names, str) == ["strategic_directives_v2"]


def test_no_match_and_case() -> None:
    assert fuzzy_score("xyz", "ventures") == 0
    assert fuzzy_score("SD_", "sd_backlog_map") > 100
    assert rank("", ["b", "a"], str) == ["b", "a"]


def test_limit() -> None:
    assert rank("t", [f"t{i}" for i in range(50)], str, limit=5) == [f"t{i}" for i in range(5)]


def test_a_column_match_ranks_between_name_matches_and_fuzzy_ones() -> None:
    from ehgtui.find.score import COLUMN_BAND, FUZZY_CEILING, column_score

    exact, name = column_score("created_at", ["id", "created_at", "created_by"])
    assert name == "created_at" and COLUMN_BAND[0] < exact <= COLUMN_BAND[1]
    word, name = column_score("created", ["id", "record_created_at"])
    assert name == "record_created_at" and COLUMN_BAND[0] < word < exact
    # every literal name match ranks above any column match, every loose name match below
    assert fuzzy_score("created", "created_records_with_a_very_long_name_x") > exact
    assert fuzzy_score("created", "sd_created") > exact
    assert 0 < fuzzy_score("creatd", "created") < FUZZY_CEILING < word
    # a loose subsequence among the columns does not count: most tables would match
    assert 0 < fuzzy_score("created", "createsd") < FUZZY_CEILING
    assert column_score("created", ["createsd", "id"]) == (0.0, None)
