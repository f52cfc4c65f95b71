"""Reading policy expressions as pg_get_expr prints them (pure functions, no server)."""

from __future__ import annotations

import pytest

from ehgtui.checks.policy_expr import is_constant_true, per_row_calls


@pytest.mark.parametrize("text", ["true", "(true)", " ( ( TRUE ) ) ", "1 = 1"])
def test_constant_true(text: str) -> None:
    assert is_constant_true(text)


@pytest.mark.parametrize("text", [None, "", "false", "(true) AND (id > 0)", "(true) OR (x)"])
def test_not_constant_true(text: str | None) -> None:
    assert not is_constant_true(text)


@pytest.mark.parametrize(
    ("text", "calls"),
    [
        ("(auth.uid() = created_by)", ["auth.uid()"]),
        ("((auth.jwt() ->> 'email'::text) IS NOT NULL)", ["auth.jwt()"]),
        (
            "(((current_setting('request.jwt.claims'::text, true))::jsonb ->> 'role') = 'x')",
            ["current_setting()"],
        ),
        ("(created_by = ( SELECT auth.uid() AS uid))", []),
        ("(( SELECT auth.role() AS role) = 'authenticated'::text)", []),
        (
            "(org_id IN ( SELECT m.org_id FROM members m WHERE (m.user_id = auth.uid())))",
            [],
        ),
        ("((note <> 'auth.uid()'::text) AND (\"auth.uid()\" IS NULL))", []),
        ("(myauth.uid() = id)", []),
        (
            "((auth.uid() = a) OR (auth.role() = 'x'::text) OR (auth.uid() = b))",
            ["auth.uid()", "auth.role()", "auth.uid()"],
        ),
    ],
)
def test_per_row_calls(text: str, calls: list[str]) -> None:
    assert per_row_calls(text) == calls
