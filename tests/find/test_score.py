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
