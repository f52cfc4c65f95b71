"""The DDL of a function, type, sequence, extension or publication, as `y` copies it.

`render_object_ddl` is the one place the TUI renders an object's DDL (`ehgtui.ddl.objects`).
"""

from __future__ import annotations

from ehgtui.catalog.model import Catalog
from ehgtui.catalog.objects import SchemaObject, object_key
from ehgtui.ddl.objects import object_ddl
from ehgtui.tui.widgets.detail.ddl import rendered_or_comment


def render_object_ddl(catalog: Catalog, obj: SchemaObject) -> str:
    """The object's DDL, or a one-line SQL comment saying why not.

    Without owner and grants, as a table's `y` copies it: the text a migration starts from
    (`CREATE OR REPLACE FUNCTION` keeps a function's grants).

    Args:
        catalog: The whole catalog (the renderer looks up what the object refers to).
        obj: The object.

    Returns:
        The DDL text, ending with a newline.
    """
    return rendered_or_comment(lambda: object_ddl(catalog, obj), object_key(obj))
