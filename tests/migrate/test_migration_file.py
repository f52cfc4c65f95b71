"""`ehgtui diff A B --sql` written to a file: `--migration NAME` (a new file in the project's
supabase/migrations, with a 14-digit version) and `-o FILE`; neither ever replaces a file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

import pytest

import ehgtui.migrations.files
from tests.migrate.small import drop_databases, small_copy
from tests.migrate.test_hazards import run
from tests.pg import TestServer

FROZEN_NOW = datetime(2026, 12, 7, 9, 30, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def sides(pg18: TestServer) -> Iterator[tuple[str, str, str]]:
    """DSNs of A, of B (A plus a column) and of a side that drops a column from A."""
    a = small_copy(pg18)
    b = small_copy(pg18, sql="ALTER TABLE public.items ADD COLUMN sku text;")
    lossy = small_copy(pg18, sql="ALTER TABLE public.owners DROP COLUMN bio;")
    yield pg18.dsn(a), pg18.dsn(b), pg18.dsn(lossy)
    drop_databases(pg18, a, b, lossy)


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    class _Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
            return FROZEN_NOW

    monkeypatch.setattr(ehgtui.migrations.files, "datetime", _Frozen)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "supabase").mkdir()
    return tmp_path


def test_migration_writes_the_sql_under_a_14_digit_version(
    sides: tuple[str, str, str],
    project: Path,
    frozen_clock: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b, _ = sides
    code, printed, _ = run(capsys, "diff", a, b, "--sql")
    assert code == 1 and "ALTER TABLE public.items ADD COLUMN sku text;" in printed
    code, out, err = run(
        capsys, "diff", a, b, "--sql", "--migration", "Add SKU!", "--project-dir", str(project)
    )
    path = project / "supabase" / "migrations" / "20261207093005_add_sku.sql"
    assert (code, out, err) == (1, "", f"{path}\n")
    assert path.read_text() == printed  # the same text as on stdout, byte for byte
    # a second run in the same second finds the file there and leaves it alone
    path.write_text("-- edited by hand\n")
    code, out, err = run(
        capsys, "diff", a, b, "--sql", "--migration", "add sku", "--project-dir", str(project)
    )
    assert (code, out) == (2, "")
    assert err == f"ehgtui: {path} already exists; not overwriting it\n"
    assert path.read_text() == "-- edited by hand\n"
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_the_version_is_now_in_utc_and_the_project_is_found_from_the_cwd(
    sides: tuple[str, str, str],
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, b, _ = sides
    (project / "src" / "deep").mkdir(parents=True)
    monkeypatch.chdir(project / "src" / "deep")
    before = datetime.now(UTC).replace(microsecond=0)
    code, _, err = run(capsys, "diff", a, b, "--sql", "--migration", "add_sku")
    after = datetime.now(UTC)
    assert code == 1, err
    (written,) = (project / "supabase" / "migrations").iterdir()
    match = re.fullmatch(r"(\d{14})_add_sku\.sql", written.name)
    assert match is not None, written.name
    version = datetime.strptime(match[1], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    assert before <= version <= after + timedelta(seconds=1)
    assert err == f"{written}\n"


def test_held_back_statements_go_into_the_file_commented_and_the_exit_says_so(
    sides: tuple[str, str, str],
    project: Path,
    frozen_clock: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a, _, lossy = sides
    code, _, err = run(
        capsys, "diff", a, lossy, "--sql", "--migration", "drop bio", "--project-dir", str(project)
    )
    assert code == 3
    path = project / "supabase" / "migrations" / "20261207093005_drop_bio.sql"
    lines = path.read_text().splitlines()
    assert "-- ALTER TABLE public.owners DROP COLUMN bio;" in lines
    assert "ALTER TABLE public.owners DROP COLUMN bio;" not in lines
    assert err.splitlines() == [
        "hazard: data loss: public.owners.bio: drops column bio and every value in it (held back)",
        "ehgtui: data-losing statements are commented out; rerun with --allow-data-loss"
        " to include them",
        str(path),
    ]


def test_output_file_is_written_once_and_never_replaced(
    sides: tuple[str, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b, _ = sides
    target = tmp_path / "out.sql"
    code, out, err = run(capsys, "diff", a, b, "--sql", "-o", str(target))
    assert (code, out, err) == (1, "", f"{target}\n")
    assert "ALTER TABLE public.items ADD COLUMN sku text;" in target.read_text()
    target.write_text("mine\n")
    code, out, err = run(capsys, "diff", a, b, "--sql", "-o", str(target))
    assert (code, out, err) == (2, "", f"ehgtui: {target} already exists; not overwriting it\n")
    assert target.read_text() == "mine\n"


def test_no_change_writes_no_file(
    sides: tuple[str, str, str], project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, _, _ = sides
    code, out, err = run(
        capsys, "diff", a, a, "--sql", "--migration", "nothing", "--project-dir", str(project)
    )
    assert (code, out) == (0, "")
    assert err == "ehgtui: no differences: no migration written\n"
    assert not (project / "supabase" / "migrations").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--allow-data-loss"], "--allow-data-loss needs --sql"),
        (["--migration", "x"], "--migration needs --sql"),
        (
            ["--sql", "-o", "f.sql", "--migration", "x"],
            "-o and --migration cannot be used together",
        ),
        (["--sql", "--json"], "--json, --ddl and --sql cannot be used together"),
        (["--sql", "--rename", "nope"], "--rename 'nope': expected OLD=NEW"),
    ],
)
def test_bad_flags_are_one_line_and_write_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "diff", "a.json", "b.json", *args)
    assert (code, out) == (2, "")
    assert err.startswith(f"ehgtui: {message}") and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


def test_migration_outside_a_project_says_where_to_point(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "diff", "a.json", "b.json", "--sql", "--migration", "x")
    assert (code, out) == (2, "")
    assert err.startswith("ehgtui: no project directory") and "--project-dir" in err
    assert list(tmp_path.iterdir()) == []
