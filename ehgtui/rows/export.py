"""A page of rows as text to copy or print: CSV, JSON data, one row as JSON.

The same forms for `ehgtui rows --csv/--json` and the Rows tab's copy keys. Values are as
PostgreSQL prints them; masked values stay masked.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from ehgtui.rows.query import RowPage


def page_csv(page: RowPage) -> str:
    """The whole page as CSV with a header line; NULL is an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(page.column_names)
    writer.writerows(["" if v is None else v for v in row] for row in page.rows)
    return buffer.getvalue()


def row_json(page: RowPage, index: int) -> str:
    """One row of a page as a JSON object."""
    row = dict(zip(page.column_names, page.rows[index], strict=True))
    return json.dumps(row, indent=2, ensure_ascii=False)


def page_data(page: RowPage) -> dict[str, Any]:
    """The page and whose eyes it was read with, as JSON-able data: the API of `rows --json`."""
    viewer = page.viewer
    return {
        "table": page.table,
        "seen_as": viewer.label,
        "role": viewer.role,
        "user": None if viewer.user is None else {"id": viewer.user.id, "email": viewer.user.email},
        "claims": viewer.claims,
        "where": page.where,
        "paging": page.paging,
        "order_by": list(page.order_by),
        "limit": page.limit,
        "offset": page.offset,
        "has_next": page.has_next,
        "columns": [
            {"name": c.name, "data_type": c.data_type, "masked": c.masked} for c in page.columns
        ],
        "rows": [dict(zip(page.column_names, row, strict=True)) for row in page.rows],
    }
