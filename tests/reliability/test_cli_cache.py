"""The CLI reads the TUI's catalog cache: an unchanged schema costs one connection and one
catalog statement, a changed one is reloaded, and `--no-cache` leaves the cache alone.

Counted on the server's statement log (`log_statement=all`), as the read-only tests do.
"""

from __future__ import annotations

from pathlib import Path

from ehgtui.catalog.queries import QUERIES_PER_LOAD
from tests.pg import TestServer
from tests.reliability.conftest import ehgtui_statements, run_cli

TABLE = "strategic_directives_v2"

TRANSACTION_CONTROL = ("BEGIN", "ROLLBACK", "COMMIT")


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
    # a fingerprint, then the full load: the same constant whatever the schema's size
    assert len(cold) == 1 + QUERIES_PER_LOAD
    assert len(list((cache_home / "ehgtui" / "catalogs").glob("*.catalog.json"))) == 1

    warm_out, warm_pids, warm = _run_counted(pg, database, cache_home, "describe", TABLE)
    assert len(warm_pids) == 1
    assert len(warm) == 1  # the fingerprint
    assert warm_out == cold_out
    assert f"table public.{TABLE}" in warm_out


def test_changed_schema_is_reloaded_through_the_cache(pg: TestServer, tmp_path: Path) -> None:
    database = pg.create_database("cli_cache_changed", template=pg.demo_database())
    cache_home = tmp_path / "cache"
    _run_counted(pg, database, cache_home, "describe", TABLE)
    pg.psql(database, f"COMMENT ON TABLE public.{TABLE} IS 'changed since the cache'")

    out, _pids, catalog = _run_counted(pg, database, cache_home, "describe", TABLE)
    assert "comment: changed since the cache" in out
    assert len(catalog) == 1 + QUERIES_PER_LOAD

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
