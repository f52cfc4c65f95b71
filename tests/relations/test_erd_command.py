"""`ehgtui erd` as a script would run it: formats, files, and one-line failures."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pg import TestServer
from tests.relations.test_exports import check_mermaid


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ehgtui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env=env,
    )


@pytest.fixture(scope="module")
def dsn(pg18: TestServer, relations_db: str) -> str:
    return pg18.dsn(relations_db)


def test_mermaid_to_stdout(dsn: str) -> None:
    result = run_cli("erd", "strategic_directives_v2", "--dsn", dsn)
    assert result.returncode == 0, result.stderr
    counts = check_mermaid(result.stdout)
    assert counts["relationship"] == 9 and counts["block_start"] == 6


def test_domain_and_tables_together(dsn: str) -> None:
    result = run_cli("erd", "lonely", "--domain", "Strategic Directives", "--dsn", dsn)
    assert result.returncode == 0, result.stderr
    # users joins the domain by its key into strategic_directives_v2; orgs, outside, is a stub
    assert "    lonely {" in result.stdout and "    users {" in result.stdout
    assert "    orgs" in result.stdout.splitlines()
    check_mermaid(result.stdout)


def test_dot_to_file(dsn: str, tmp_path: Path) -> None:
    target = tmp_path / "erd.dot"
    result = run_cli("erd", "ventures", "--format", "dot", "-o", str(target), "--dsn", dsn)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    assert text.startswith("digraph erd {") and text.count(" -> ") == 30


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_and_png_through_graphviz(dsn: str, tmp_path: Path) -> None:
    svg = run_cli("erd", "users", "--format", "svg", "--dsn", dsn)
    assert svg.returncode == 0, svg.stderr
    assert "<svg" in svg.stdout
    png = tmp_path / "users.png"
    result = run_cli("erd", "users", "--format", "png", "-o", str(png), "--dsn", dsn)
    assert result.returncode == 0, result.stderr
    assert png.read_bytes().startswith(b"\x89PNG")


def test_missing_graphviz_is_one_line_and_exit_2(dsn: str, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path)}  # nothing on PATH: no `dot`
    result = run_cli("erd", "users", "--format", "svg", "--dsn", dsn, env=env)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "graphviz" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (("nope",), 1, "no table named 'nope'"),
        (("--domain", "Nope"), 1, "no domain named 'Nope'"),
        ((), 2, "give at least one TABLE or --domain NAME"),
        (("users", "--depth", "3"), 2, "--depth"),
        (("users", "--format", "png"), 2, "give -o FILE"),
    ],
)
def test_bad_input_is_one_clear_failure(
    dsn: str, args: tuple[str, ...], status: int, message: str
) -> None:
    result = run_cli("erd", *args, "--dsn", dsn)
    assert result.returncode == status
    assert message in result.stderr
    assert "Traceback" not in result.stderr
