"""DSN resolution order and password masking (pure functions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ehgtui.db.pool import describe_connect_error
from ehgtui.db.settings import ConnectionTarget, DsnError, mask_dsn, resolve_target, scrub


def test_flag_wins_over_environment(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DATABASE_URL=postgresql://dotenv@h/db\n")
    env = {"DATABASE_URL": "postgresql://env@h/db", "PGHOST": "pg"}
    target = resolve_target("postgresql://flag@h/db", env=env, cwd=tmp_path)
    assert (target.dsn, target.source) == ("postgresql://flag@h/db", "--dsn")


def test_environment_then_dotenv_then_pg_variables(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "SUPABASE_URL=https://x.supabase.co\nDATABASE_URL=postgresql://dotenv:pw@h:5432/db\n"
    )
    env = {"DATABASE_URL": "postgresql://env@h/db", "PGHOST": "pg"}
    assert resolve_target(None, env=env, cwd=tmp_path).source == "DATABASE_URL"
    del env["DATABASE_URL"]
    target = resolve_target(None, env=env, cwd=tmp_path)
    assert (target.source, target.dsn) == (".env", "postgresql://dotenv:pw@h:5432/db")
    (tmp_path / ".env").unlink()
    env.update(PGUSER="me", PGPASSWORD="p@ss word", PGDATABASE="ehg", PGPORT="6543")
    target = resolve_target(None, env=env, cwd=tmp_path)
    assert target.source == "PG* variables"
    assert (target.dsn, target.identity) == ("", "me@pg:6543/ehg")
    assert target.password == "p@ss word"
    assert target.masked == "postgresql://me@pg:6543/ehg"


def test_nothing_given_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DsnError, match="--demo"):
        resolve_target(None, env={}, cwd=tmp_path)


@pytest.mark.parametrize("bad", ["mysql://x@h/db", "postgresql://x@h:notaport/db", "just text"])
def test_malformed_dsn(bad: str, tmp_path: Path) -> None:
    with pytest.raises(DsnError, match="malformed DSN"):
        resolve_target(bad, env={}, cwd=tmp_path)


@pytest.mark.parametrize(
    ("dsn", "masked"),
    [
        (
            "postgresql://postgres:s3cr3t@db.x.supabase.co:5432/postgres",
            "postgresql://postgres:***@db.x.supabase.co:5432/postgres",
        ),
        (
            "postgresql://u@h/db?password=s3cr3t&sslmode=require",
            "postgresql://u@h/db?password=***&sslmode=require",
        ),
        ("host=h user=u password=s3cr3t dbname=d", "host=h user=u password=*** dbname=d"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
        (
            "postgresql://postgres:my@s3cr3t@db.x.supabase.co/postgres",
            "postgresql://postgres:***@db.x.supabase.co/postgres",
        ),
        ("postgresql://me:p@ss word@h:5432/db", "postgresql://me:***@h:5432/db"),
        ("postgresql://me:pa s3cr3t@h/db", "postgresql://me:***@h/db"),
        (
            "postgresql://u@h/db?password=p@ss word&sslmode=require",
            "postgresql://u@h/db?password=***&sslmode=require",
        ),
        ("see postgresql://u:my@s3cr3t@h/db here", "see postgresql://u:***@h/db here"),
        # free text: the `)` after a query password closes the parenthesis, it is no secret
        (
            "refused (postgresql://u@h/db?password=s3cr3t)",
            "refused (postgresql://u@h/db?password=***)",
        ),
        ("x (host=h password='it\\'s s3cr3t' dbname=d)", "x (host=h password=*** dbname=d)"),
        ("host=h password='it\\'s my s3cr3t'", "host=h password=***"),
    ],
)
def test_mask_dsn(dsn: str, masked: str) -> None:
    assert mask_dsn(dsn) == masked
    for secret in ("s3cr3t", "p@ss", "ss word"):
        assert secret not in masked


def test_target_with_raw_special_password_is_masked() -> None:
    target = ConnectionTarget("postgresql://me:p@ss word@db.example:6543/ehg", "--dsn")
    assert target.password == "p@ss word"
    assert target.masked == "postgresql://me:***@db.example:6543/ehg"
    message = describe_connect_error(ConnectionRefusedError(), target, 10.0)
    assert message == (
        "connection refused: is the server running? (postgresql://me:***@db.example:6543/ehg)"
    )


def test_scrub_removes_raw_and_url_encoded_secret() -> None:
    text = "failed for pass/word and pass%2Fword in postgresql://u:pass%2Fword@h/db"
    cleaned = scrub(text, "pass/word")
    assert "pass" not in cleaned


def test_scrub_masks_a_short_secret_only_where_it_stands_alone() -> None:
    text = "unknown host 'no-such-host.invalid' (postgresql://u:s@h/db) password s"
    assert scrub(text, "s") == (
        "unknown host 'no-such-host.invalid' (postgresql://u:***@h/db) password ***"
    )


def test_tls_required_for_supabase_hosts_unless_disabled() -> None:
    assert ConnectionTarget("postgresql://u@db.abc.supabase.co/postgres", "x").requires_tls
    assert ConnectionTarget(
        "postgresql://u@aws-0-eu.pooler.supabase.com:6543/postgres", "x"
    ).requires_tls
    assert not ConnectionTarget(
        "postgresql://u@db.abc.supabase.co/postgres?sslmode=disable", "x"
    ).requires_tls
    assert not ConnectionTarget("postgresql://u@127.0.0.1/postgres", "x").requires_tls
    assert ConnectionTarget("postgresql://u@127.0.0.1/p?sslmode=require", "x").requires_tls


def test_identity_names_server_without_secret() -> None:
    target = ConnectionTarget("postgresql://me:pw@db.example:6543/ehg", "x")
    assert target.identity == "me@db.example:6543/ehg"
