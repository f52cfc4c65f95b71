"""Completion from the catalog, without a server: each context offers what fits there."""

from __future__ import annotations

import pytest

from ehgtui.query.complete import CompletionIndex
from tests.query.catalog_factory import FakeFunction, catalog, column, table

SD = table(
    "public",
    "strategic_directives_v2",
    column("id", "uuid"),
    column("status", "sd_status", ("draft", "active", "done")),
    column("title"),
)
HANDOFFS = table(
    "public",
    "sd_phase_handoffs",
    column("id", "uuid"),
    column("sd_id", "uuid"),
    column("from_phase"),
)
USERS = table("auth", "users", column("id", "uuid"), column("email"))
VIEW = table("public", "v_sd", column("x"), kind="view")
ODD = table("public", "Odd Name", column("Mixed Case"))


@pytest.fixture(scope="module")
def index() -> CompletionIndex:
    cat = catalog(SD, HANDOFFS, USERS, VIEW, ODD, schemas=("public", "auth"))
    object.__setattr__(
        cat,
        "functions",
        (
            FakeFunction(
                "public", "get_progress", "p_sd_id uuid, p_deep boolean DEFAULT false", "jsonb"
            ),
            FakeFunction("public", "get_phase", "p_id uuid", "text"),
        ),
    )
    return CompletionIndex(cat)


def texts(index: CompletionIndex, typed: str) -> list[str]:
    """What is offered with the cursor at `|` of typed."""
    offset = typed.index("|")
    return [s.text for s in index.complete(typed.replace("|", ""), offset).items]


def test_columns_of_an_aliased_table(index: CompletionIndex) -> None:
    assert texts(index, "select s.| from strategic_directives_v2 s") == ["id", "status", "title"]
    assert texts(index, "select s.st| from strategic_directives_v2 as s") == ["status"]


def test_each_alias_of_a_join_gives_its_own_table(index: CompletionIndex) -> None:
    sql = "select h.| from strategic_directives_v2 s join sd_phase_handoffs h on h.sd_id = s.id"
    assert texts(index, sql) == ["id", "sd_id", "from_phase"]
    sql = "select s.id, h.sd_id from strategic_directives_v2 s join sd_phase_handoffs h on s.|"
    assert texts(index, sql) == ["id", "status", "title"]


def test_unqualified_columns_of_every_table_in_from(index: CompletionIndex) -> None:
    got = texts(index, "select | from strategic_directives_v2 s, sd_phase_handoffs")
    assert got[:5] == ["id", "status", "title", "sd_id", "from_phase"]
    assert "s" in got  # the alias itself


def test_relations_after_from_join_and_comma(index: CompletionIndex) -> None:
    assert texts(index, "select * from st|") == ["strategic_directives_v2"]
    assert texts(index, "select * from v_sd join sd_|") == ["sd_phase_handoffs"]
    assert texts(index, "select * from v_sd a, us|") == ["auth.users"]
    assert "auth" in texts(index, "select * from |")  # schemas too


def test_schema_qualified_names(index: CompletionIndex) -> None:
    assert texts(index, "select * from auth.|") == ["users"]
    assert texts(index, "select u.| from auth.users u") == ["id", "email"]


def test_names_that_need_quotes_are_inserted_quoted(index: CompletionIndex) -> None:
    assert texts(index, "select * from Od|") == ['"Odd Name"']
    assert texts(index, 'select o.| from "Odd Name" o') == ['"Mixed Case"']


def test_keywords_in_the_case_typed(index: CompletionIndex) -> None:
    assert texts(index, "sel|") == ["select"]
    assert texts(index, "SEL|") == ["SELECT"]
    assert "WHERE" in texts(index, "select * from v_sd WHE|")


def test_enum_labels_after_a_comparison(index: CompletionIndex) -> None:
    sql = "select * from strategic_directives_v2 where status = '|"
    assert texts(index, sql) == ["'draft'", "'active'", "'done'"]
    sql = "select * from strategic_directives_v2 s where s.status in ('draft', 'a|"
    assert texts(index, sql) == ["'active'"]
    sql = "select * from strategic_directives_v2 where status = 'd"
    result = index.complete(sql, len(sql))
    assert [s.text for s in result.items] == ["'draft'", "'done'"]
    assert result.start == len(sql) - 2  # the label replaces the quote typed too


def test_nothing_inside_an_ordinary_string(index: CompletionIndex) -> None:
    assert texts(index, "select * from sd_phase_handoffs h where h.sd_id = 'ab|") == []


def test_functions_with_their_signatures(index: CompletionIndex) -> None:
    found = index.complete("select get_p", 12).items
    assert [s.text for s in found] == ["get_phase(", "get_progress("]
    assert found[1].detail == "get_progress(p_sd_id uuid, p_deep boolean DEFAULT false) → jsonb"
    hint = index.complete("select get_progress(", 20).items
    assert [s.kind for s in hint] == ["arguments"]
    assert "p_sd_id uuid" in hint[0].label


def test_the_statement_under_the_cursor_only(index: CompletionIndex) -> None:
    text = "select * from v_sd; select f| from sd_phase_handoffs; select 1"
    assert texts(index, text)[0] == "from_phase"


def test_names_in_strings_and_comments_are_not_tables(index: CompletionIndex) -> None:
    sql = "select x.| from v_sd /* from strategic_directives_v2 x */ where 'from users' = ''"
    assert texts(index, sql) == []


def test_without_functions_in_the_catalog() -> None:
    index = CompletionIndex(catalog(SD))
    assert texts(index, "select get_|") == []
    assert texts(index, "select s.| from strategic_directives_v2 s") == ["id", "status", "title"]
