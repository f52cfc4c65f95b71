"""Helpers shared by the modules that write the demo's key tables by hand."""

from __future__ import annotations

from ehgtui.demo.schema_model import Column, ForeignKey, TableSpec, timestamps, uuid_pk
from ehgtui.demo.schema_policies import RlsPattern, pattern_policies

SD_TABLE = "strategic_directives_v2"
"""The Strategic Directives table: the hub most foreign keys point at."""

TS = "timestamp with time zone"


def col(name: str, sql_type: str, modifiers: str = "", comment: str | None = None) -> Column:
    """A column (a shorter spelling of `Column`)."""
    return Column(name, sql_type, modifiers, comment)


def sd_fk(on_delete: str | None = "CASCADE", column: str = "sd_id") -> ForeignKey:
    """A foreign key from `column` to strategic_directives_v2(id)."""
    return ForeignKey((column,), f"public.{SD_TABLE}", on_delete=on_delete)


def key_spec(
    name: str,
    columns: tuple[Column, ...],
    pattern: RlsPattern,
    variant: int,
    **kwargs: object,
) -> TableSpec:
    """A key table: id first, timestamps last, the pattern's policies."""
    return TableSpec(
        name=name,
        columns=(uuid_pk(), *columns, *timestamps()),
        policies=pattern_policies(pattern, variant),
        **kwargs,  # type: ignore[arg-type]
    )
