"""A pad result as text to copy or print: CSV, JSON, Markdown, one row as JSON.

The same forms for `ehgtui query --csv/--json/--markdown` and the pad's copy keys. Values are
as PostgreSQL prints them; masked values stay masked; NULL is an empty CSV field, JSON null,
and an empty Markdown cell.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from ehgtui.query.run import QueryResult, Row


def result_csv(names: Sequence[str], rows: Sequence[Row]) -> str:
    """Rows as CSV with a header line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(["" if v is None else v for v in row] for row in rows)
    return buffer.getvalue()


def rows_json(names: Sequence[str], rows: Sequence[Row]) -> str:
    """Rows as a JSON array of objects (a repeated column name keeps its last value)."""
    return json.dumps(
        [dict(zip(names, row, strict=True)) for row in rows], indent=2, ensure_ascii=False
    )


def _markdown_cell(value: str | None) -> str:
    if value is None:
        return ""
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")


def result_markdown(names: Sequence[str], rows: Sequence[Row]) -> str:
    """Rows as a GitHub Markdown table."""
    lines = [
        "| " + " | ".join(_markdown_cell(n) for n in names) + " |",
        "|" + "|".join(" --- " for _ in names) + "|",
    ]
    lines += ["| " + " | ".join(_markdown_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def result_data(result: QueryResult) -> dict[str, Any]:
    """The result and whose eyes it was read with, as JSON-able data: `query --json`'s API.

    Rows are arrays in column order (a result may repeat a column name).
    """
    viewer = result.viewer
    return {
        "statement": result.statement.sql,
        "kind": result.statement.kind,
        "seen_as": viewer.label,
        "role": viewer.role,
        "user": None if viewer.user is None else {"id": viewer.user.id, "email": viewer.user.email},
        "columns": [
            {"name": c.name, "data_type": c.data_type, "masked": c.masked} for c in result.columns
        ],
        "rows": [list(row) for row in result.rows],
        "row_count": len(result.rows),
        "truncated": result.truncated,
        "max_rows": result.max_rows,
        "elapsed_ms": round(result.elapsed * 1000, 3),
    }
