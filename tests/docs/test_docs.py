"""Schema docs: deterministic trees, one page per relation, and the facts each page must show."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ehgtui.catalog.domains import classify
from ehgtui.catalog.model import Catalog
from ehgtui.catalog.objects import USES_NOT_RECORDED
from ehgtui.docs.render import render_docs
from ehgtui.docs.writer import write_docs
from tests.checks.supabase_sql import STANDINS_SQL, load
from tests.pg import TestServer

FIXTURE_SQL = (
    STANDINS_SQL
    + """
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE parent (id uuid PRIMARY KEY DEFAULT gen_random_uuid());
CREATE TABLE child (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id uuid REFERENCES parent(id) ON DELETE CASCADE ON UPDATE SET NULL,
    moods mood[] NOT NULL DEFAULT '{}',
    tags text[],
    "weird|name" text,
    status text CHECK (status <> '')
);
COMMENT ON TABLE child IS 'Children of a parent.
Second line.';
CREATE INDEX child_parent ON child(parent_id) WHERE status IS NOT NULL;
ALTER TABLE child ENABLE ROW LEVEL SECURITY;
CREATE POLICY "own rows" ON child AS RESTRICTIVE FOR UPDATE TO authenticated, anon
    USING (parent_id = (select auth.uid())) WITH CHECK (status <> 'x');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER child_touch BEFORE UPDATE OF status OR DELETE ON child
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM 'z') EXECUTE FUNCTION touch();
CREATE VIEW child_view AS SELECT id FROM child;
CREATE FUNCTION is_parent(p uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
    AS $$ SELECT p = (select auth.uid()) $$;
COMMENT ON FUNCTION is_parent(uuid) IS 'Whether the caller is this parent.';
REVOKE EXECUTE ON FUNCTION is_parent(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION is_parent(uuid) TO anon;
"""
)


@pytest.fixture(scope="module")
async def small(pg18: TestServer) -> Catalog:
    return await load(pg18, pg18.create_database("docs", FIXTURE_SQL))


def _tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


async def test_table_page_shows_types_constraints_indexes_policies_triggers(
    small: Catalog,
) -> None:
    files = render_docs(small, classify(small))
    assert set(files) == {
        "README.md",
        "database-schema-overview.md",
        "tables/parent.md",
        "tables/child.md",
        "tables/child_view.md",
        "functions/fn_set_updated_at.md",
        "functions/is_parent.md",
        "functions/touch.md",
        "types/mood.md",
    }
    page = files["tables/child.md"]
    assert "> Children of a parent.\n> Second line." in page
    assert "- **Row level security**: enabled" in page
    assert (
        "| 3 | `moods` | `public.mood[]` (array of `public.mood`; enum: `happy`, `sad`) | NO |"
        " `'{}'::public.mood[]` |" in page
    )
    assert "| 4 | `tags` | `text[]` (array of `text`) | YES |" in page
    assert "| 1 | `id` | `bigint` | NO | generated always as identity | PK |" in page
    assert "| 2 | `parent_id` | `uuid` | YES |  | FK → public.parent.id |" in page
    assert "`weird\\|name`" in page  # a pipe in a name does not break the table
    assert (
        "| `child_parent_id_fkey` | FOREIGN KEY | `FOREIGN KEY (parent_id) REFERENCES "
        "public.parent(id) ON UPDATE SET NULL ON DELETE CASCADE` | SET NULL | CASCADE |  |" in page
    )
    assert "| `child_parent` | `parent_id` | btree |  | `(status IS NOT NULL)` |" in page
    assert (
        "| own rows | UPDATE | authenticated, anon | restrictive | "
        "`(parent_id = ( SELECT auth.uid() AS uid))` | `(status <> 'x'::text)` |" in page
    )
    assert (
        "| `child_touch` | BEFORE | UPDATE OF status OR DELETE | ROW | `public.touch()` | "
        "`(old.status IS DISTINCT FROM 'z'::text)` | enabled |" in page
    )
    parent = files["tables/parent.md"]
    assert "## Referenced by (1)" in parent and "| `public.child` | `parent_id` |" in parent
    view = files["tables/child_view.md"]
    assert "## Definition" in view and "FROM public.child" in view
    assert "Row level security" not in view
    readme = files["README.md"]
    assert "**Tables**: 2 · **Views**: 1 · **RLS enabled**: 1 of 2 tables" in readme
    assert "| [child](tables/child.md) | table | on | 1 | 6 | Children of a parent. |" in readme
    assert "| [parent](tables/parent.md) | table | **off** | 0 | 1 |  |" in readme


def test_demo_docs_twice_give_identical_trees(pg18: TestServer, tmp_path: Path) -> None:
    dsn = pg18.dsn(pg18.demo_database())
    first, second = tmp_path / "first", tmp_path / "second"
    for out in (first, second):
        result = subprocess.run(
            [sys.executable, "-m", "ehgtui", "docs", str(out), "--dsn", dsn],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
    tree = _tree(first)
    assert tree == _tree(second)
    pages = [name for name in tree if name.startswith("tables/")]
    tables_json = subprocess.run(
        [sys.executable, "-m", "ehgtui", "tables", "--dsn", dsn, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    names = {r["name"] for r in json.loads(tables_json)}
    assert sorted(pages) == sorted(f"tables/{n}.md" for n in names)
    assert len(pages) >= 850
    assert {"README.md", "database-schema-overview.md"} <= set(tree)

    # a second run over the same output rewrites nothing: same bytes and same mtimes
    mtimes = {p: p.stat().st_mtime_ns for p in first.rglob("*.md")}
    again = subprocess.run(
        [sys.executable, "-m", "ehgtui", "docs", str(first), "--dsn", dsn, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["written"] == [] and report["removed"] == []
    assert len(report["unchanged"]) == len(tree)
    assert {p: p.stat().st_mtime_ns for p in first.rglob("*.md")} == mtimes


def test_stale_pages_are_removed_and_changes_rewritten(small: Catalog, tmp_path: Path) -> None:
    files = render_docs(small, classify(small))
    first = write_docs(tmp_path, files)
    assert sorted(first.written) == sorted(files) and first.unchanged == ()
    (tmp_path / "tables" / "dropped_table.md").write_text("old")
    (tmp_path / "notes.md").write_text("mine")  # outside tables/: never touched
    changed = dict(files, **{"tables/parent.md": files["tables/parent.md"] + "extra\n"})
    report = write_docs(tmp_path, changed)
    assert report.written == ("tables/parent.md",)
    assert report.removed == ("tables/dropped_table.md",)
    assert (tmp_path / "notes.md").read_text() == "mine"
    assert not list(tmp_path.rglob(".*.tmp"))


async def test_function_and_type_pages(small: Catalog) -> None:
    """A page per function and per type, listed in the README and the overview."""
    files = render_docs(small, classify(small))
    touch = files["functions/touch.md"]
    assert "# touch()" in touch
    assert "| trigger | `public.child` | `child_touch` |" in touch  # what uses it
    assert USES_NOT_RECORDED in touch
    assert "```sql\nCREATE OR REPLACE FUNCTION public.touch()" in touch
    assert "BEGIN RETURN NEW; END" in touch
    helper = files["functions/is_parent.md"]
    assert "**SECURITY DEFINER** · **search_path not set** (mutable" in helper
    assert "| anon | **yes** | EXECUTE granted to anon |" in helper
    assert "| authenticated | no | no EXECUTE for authenticated or PUBLIC |" in helper
    assert "> Whether the caller is this parent." in helper
    mood = files["types/mood.md"]
    assert "| 1 | `happy` |" in mood and "| 2 | `sad` |" in mood
    assert "| column | `public.child` | `moods` |" in mood
    readme = files["README.md"]
    assert "## Functions (3)" in readme and "](functions/is_parent.md)" in readme
    assert "## Types (1)" in readme
    assert "| [mood](types/mood.md) | public | enum | `happy`, `sad` | 1 |  |" in readme
    overview = files["database-schema-overview.md"]
    assert "| Functions | 3 |" in overview and "| Security definer functions | 1 |" in overview
    assert "](functions/touch.md)" in overview and "](types/mood.md)" in overview


def test_stale_function_pages_are_removed(small: Catalog, tmp_path: Path) -> None:
    files = render_docs(small, classify(small))
    write_docs(tmp_path, files)
    (tmp_path / "functions" / "dropped_function.md").write_text("old")
    (tmp_path / "types" / "dropped_type.md").write_text("old")
    report = write_docs(tmp_path, files)
    assert report.removed == ("functions/dropped_function.md", "types/dropped_type.md")
    assert report.written == ()
