"""Compare a catalog whose texts name objects with their schema to one from before that.

Since snapshot format 3 (cache format 5) the loader reads the server's texts with an empty
search_path, as pg_dump does, so they qualify every name outside `pg_catalog`:
`public.sd_status`, `nextval('public.t_id_seq'::regclass)`, `REFERENCES public.orgs(id)`,
`EXECUTE FUNCTION public.f()`. An older snapshot holds them as the connection's search_path
printed them: without the schema of each name that path made visible (usually `public`, and on
Supabase `extensions` too). Compared as they are, every such default, check, key, trigger and
policy would read as changed.

So when exactly one side is qualified, both sides are compared with the schema qualifiers of
the database's schemas taken out of those texts (`unqualified_catalog`). The old side's
search_path is not known, so every schema's qualifier goes, on both sides alike: a change that
only moves an object between schemas is not seen in such a comparison (writing the snapshot
again, `ehgtui snapshot`, gives a qualified one, compared exactly).
"""

from __future__ import annotations

import re
from typing import Any

from ehgtui.catalog.model import Catalog
from ehgtui.catalog.serialize import catalog_from_data, to_data
from ehgtui.ddl.quote import quote_ident

PRINTED_FIELDS = frozenset(
    {
        "data_type",
        "element_type",
        "default",
        "generated",
        "definition",
        "predicate",
        "using",
        "with_check",
        "when",
        "partition_key",
        "partition_bound",
        "view_definition",
        "identity_arguments",
        "arguments",
        "result",
        "base_type",
        "subtype",
        "subtype_opclass",
        "canonical",
        "subtype_diff",
        "multirange",
        "row_filter",
        "relation",
    }
)
"""The model's fields holding text the server printed (`format_type()`, `pg_get_*()`, regproc
casts), whose qualifiers follow the search_path. Names the loader builds itself
(`partition_of`, `inherits`, a trigger's `function`, a sequence's `owned_by_table`) were always
qualified and are kept."""


def _schema_names(*catalogs: Catalog) -> set[str]:
    """Every schema either catalog knows of: loaded, holding an object, or in the database."""
    names: set[str] = set()
    for catalog in catalogs:
        names.update(catalog.schemas)
        names.update(s.name for s in catalog.schema_objects)
        names.update(t.schema for t in catalog.tables)
        names.update(e.schema for e in catalog.extensions)
    return names


def qualifier_pattern(schemas: set[str]) -> re.Pattern[str]:
    """`schema.` before a name, for each schema as the server quotes it, wherever it stands
    (also inside a regclass literal: `'public.t_id_seq'`), not after another name part."""
    longest_first = sorted(schemas, key=len, reverse=True)
    alternatives = "|".join(re.escape(quote_ident(s)) for s in longest_first)
    return re.compile(rf'(?<![\w$."])(?:{alternatives})\.(?=[\w"$])')


def without_qualifiers(text: str, pattern: re.Pattern[str]) -> str:
    """The text with the qualifiers `pattern` matches taken out."""
    return pattern.sub("", text)


def _strip(value: Any, pattern: re.Pattern[str], printed: bool = False) -> Any:
    if isinstance(value, str):
        return without_qualifiers(value, pattern) if printed else value
    if isinstance(value, list):
        return [_strip(item, pattern, printed) for item in value]
    if isinstance(value, dict):
        return {k: _strip(v, pattern, printed or k in PRINTED_FIELDS) for k, v in value.items()}
    return value


def unqualified_catalog(catalog: Catalog, pattern: re.Pattern[str]) -> Catalog:
    """The catalog with the qualifiers `pattern` matches taken out of its printed texts."""
    data = _strip(to_data(catalog), pattern)
    data["names_qualified"] = False
    return catalog_from_data(data)


def comparable(a: Catalog, b: Catalog) -> tuple[Catalog, Catalog]:
    """The two catalogs as they are when their texts are printed alike; else both without the
    schema qualifiers (see the module doc)."""
    schemas = _schema_names(a, b)
    if a.names_qualified == b.names_qualified or not schemas:
        return a, b
    pattern = qualifier_pattern(schemas)
    return unqualified_catalog(a, pattern), unqualified_catalog(b, pattern)
