"""The CLI reads the TUI's catalog cache: an unchanged schema costs one connection and one
catalog statement, a changed one is reloaded, and `--no-cache` leaves the cache alone.

Counted on the server's statement log (`log_statement=all`), as the read-only tests do.
"""

from __future__ import annotations

from pathlib import Path

from ehgtui.catalog.queries import QUERIES_PER_LOAD
from ehgtui.db.pool import POOL_MAX_SIZE
from tests.pg import TestServer
from tests.reliability.conftest import ehgtui_statements, run_cli

TABLE = "strategic_directives_v2"

TRANSACTION_CONTROL = ("BEGIN", "ROLLBACK", "COMMIT")

COLD_LOOKUP = 3 + QUERIES_PER_LOAD
"""A lookup that loads: the table's fingerprint, the catalog's, every table's, the load."""


def _log(pg: TestServer) -> str:
    return (pg.server.data_dir / "server.log").read_text(errors="replace")


def _run_counted(
    pg: TestServer, database: str, cache_home: Path, *args: str
) -> tuple[str, set[int], list[str]]:
    """Run `ehgtui ARGS --dsn …`; return its stdout, its backends, its catalog statements."""
    before = len(_log(pg))
    result = run_cli(*args, "--dsn", pg.dsn(database), env={"XDG_CACHE_HOME": str(cache_home)})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    statements = ehgtui_statements(_log(pg)[before:], database)
    pids = {pid for pid, _text in statements}
    catalog = [t for _pid, t in statements if not t.upper().startswith(TRANSACTION_CONTROL)]
    return result.stdout, pids, catalog


def test_warm_cache_describe_is_one_connection_and_one_statement(
    pg: TestServer, tmp_path: Path
) -> None:
    database = pg.create_database("cli_cache", template=pg.demo_database())
    cache_home = tmp_path / "cache"

    cold_out, cold_pids, cold = _run_counted(pg, database, cache_home, "describe", TABLE)
    # the table's fingerprint (sent before the file is read), the whole catalog's and every
    # table's, then the full load: the same constants whatever the schema's size
    assert len(cold) == COLD_LOOKUP
    # the plain client's connection (it asks before the file is read), then the pool's
    assert 2 <= len(cold_pids) <= 1 + POOL_MAX_SIZE
    assert len(list((cache_home / "ehgtui" / "catalogs").glob("*.catalog.json"))) == 1

    warm_out, warm_pids, warm = _run_counted(pg, database, cache_home, "describe", TABLE)
    assert len(warm_pids) == 1
    assert len(warm) == 1  # the table's fingerprint
    assert "ehgtui-one-trip" in warm[0] and "pg_constraint" in warm[0]
    assert warm_out == cold_out
    assert f"table public.{TABLE}" in warm_out


def test_warm_describe_reads_one_table_and_imports_no_loader(
    pg: TestServer, tmp_path: Path
) -> None:
    """From a current cache, describe decodes the table it shows (the file's index says where
    it lies) and tells its domain from the names alone: the same output as a full load, for
    a README domain's table, a view and tables grouped by prefix or left to Other."""
    database = pg.create_database("cli_cache_one", template=pg.demo_database())
    cache_home = tmp_path / "cache"
    env = {"XDG_CACHE_HOME": str(cache_home)}
    names = (TABLE, "build_sessions_daily_counts", "alert_rules", "ab_batches")
    for name in names:
        full = run_cli("describe", name, "--no-cache", "--dsn", pg.dsn(database), env=env)
        assert full.returncode == 0, full.stderr
        _run_counted(pg, database, cache_home, "describe", name)  # cold (first) or warm
        warm, _pids, statements = _run_counted(pg, database, cache_home, "describe", name)
        assert len(statements) == 1
        assert warm == full.stdout
    as_json = run_cli("describe", TABLE, "--json", "--no-cache", "--dsn", pg.dsn(database))
    _out, _pids, _statements = _run_counted(pg, database, cache_home, "describe", TABLE)
    warm_json, _pids, _statements = _run_counted(
        pg, database, cache_home, "describe", TABLE, "--json"
    )
    assert warm_json == as_json.stdout

    profiled = run_cli(
        "describe",
        TABLE,
        "--dsn",
        pg.dsn(database),
        env=env | {"PYTHONPROFILEIMPORTTIME": "1"},
    )
    assert profiled.returncode == 0, profiled.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in profiled.stderr.splitlines()}
    assert "ehgtui.catalog.cache" in imported  # the profile is there
    assert "ehgtui.db.plain_client" in imported  # the fingerprint went over the plain client
    never = ("ehgtui.catalog.loader", "ehgtui.catalog.assemble", "tomllib", "textual", "rich")
    # nor asyncio and asyncpg (70-90 ms of CPU), nor ssl for a server without TLS
    for module in (*never, "asyncio", "asyncpg", "ssl", "ehgtui.db.pool"):
        assert module not in imported


def test_changed_schema_is_reloaded_through_the_cache(pg: TestServer, tmp_path: Path) -> None:
    database = pg.create_database("cli_cache_changed", template=pg.demo_database())
    cache_home = tmp_path / "cache"
    _run_counted(pg, database, cache_home, "describe", TABLE)
    pg.psql(database, f"COMMENT ON TABLE public.{TABLE} IS 'changed since the cache'")

    out, _pids, catalog = _run_counted(pg, database, cache_home, "describe", TABLE)
    assert "comment: changed since the cache" in out
    assert len(catalog) == COLD_LOOKUP

    _out, _pids, again = _run_counted(pg, database, cache_home, "describe", TABLE)
    assert len(again) == 1


def test_a_change_elsewhere_keeps_describe_warm_a_change_to_the_table_does_not(
    pg: TestServer, tmp_path: Path
) -> None:
    """Only what describe shows of the table moves its fingerprint: DDL on another table
    keeps the lookup at one statement; a foreign key from another table to it, shown under
    "Referenced by", reloads it."""
    database = pg.create_database("cli_cache_table", template=pg.demo_database())
    cache_home = tmp_path / "cache"
    first, _pids, _statements = _run_counted(pg, database, cache_home, "describe", TABLE)
    pg.psql(
        database,
        "ALTER TABLE public.alert_rules ADD COLUMN elsewhere_note text;"
        " CREATE INDEX ON public.alert_rules (elsewhere_note);"
        " COMMENT ON TABLE public.alert_rules IS 'changed elsewhere'",
    )
    out, pids, statements = _run_counted(pg, database, cache_home, "describe", TABLE)
    assert (len(pids), len(statements)) == (1, 1)
    assert out == first

    pg.psql(
        database,
        "ALTER TABLE public.alert_rules ADD COLUMN directive_ref uuid"
        f" CONSTRAINT alert_rules_directive_ref_fkey REFERENCES public.{TABLE} (id)",
    )
    out, _pids, statements = _run_counted(pg, database, cache_home, "describe", TABLE)
    assert len(statements) == COLD_LOOKUP
    assert "alert_rules_directive_ref_fkey" in out and "alert_rules_directive_ref_fkey" not in first
    fresh = run_cli("describe", TABLE, "--no-cache", "--dsn", pg.dsn(database))
    assert out == fresh.stdout
    _out, _pids, again = _run_counted(pg, database, cache_home, "describe", TABLE)
    assert len(again) == 1


def test_no_cache_neither_reads_nor_writes_the_cache(pg: TestServer, tmp_path: Path) -> None:
    database = pg.create_database("cli_no_cache", template=pg.demo_database())
    cache_home = tmp_path / "cache"
    out, _pids, catalog = _run_counted(pg, database, cache_home, "tables", "--no-cache")
    assert len(catalog) == QUERIES_PER_LOAD  # the load alone: no fingerprint
    assert not (cache_home / "ehgtui" / "catalogs").exists()
    assert TABLE in out

    # the flag before the command means the same
    _out, _pids, catalog = _run_counted(pg, database, cache_home, "--no-cache", "tables")
    assert len(catalog) == QUERIES_PER_LOAD
    assert not (cache_home / "ehgtui" / "catalogs").exists()
