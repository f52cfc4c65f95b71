"""Sequences: `CREATE SEQUENCE` for serial and standalone ones, inline options for identities.

pg_dump prints every option of a sequence; we print the same for `CREATE SEQUENCE` (so a
serial's sequence reads as pg_dump's does) but, for identity columns, only the options that
differ from what `GENERATED ... AS IDENTITY` would choose by itself, to keep tables readable.
"""

from __future__ import annotations

from ehgtui.catalog.model import Column, Sequence, Table
from ehgtui.ddl.names import default_object_name
from ehgtui.ddl.options import DdlOptions
from ehgtui.ddl.quote import qualified, quote_ident, quote_literal

TYPE_BOUNDS: dict[str, tuple[int, int]] = {
    "smallint": (-32768, 32767),
    "integer": (-2147483648, 2147483647),
    "bigint": (-9223372036854775808, 9223372036854775807),
}
"""The range of each sequence data type: the implied MINVALUE/MAXVALUE come from it."""


def default_bounds(data_type: str, increment: int) -> tuple[int, int]:
    """The MINVALUE and MAXVALUE PostgreSQL picks when none is given (as `NO MINVALUE`)."""
    low, high = TYPE_BOUNDS.get(data_type, TYPE_BOUNDS["bigint"])
    return (1, high) if increment > 0 else (low, -1)


def _option_lines(seq: Sequence, *, all_options: bool) -> list[str]:
    """The sequence's options, pg_dump-style, all of them or only the non-default ones."""
    low, high = default_bounds(seq.data_type, seq.increment)
    default_start = seq.min_value if seq.increment > 0 else seq.max_value
    lines: list[str] = []
    if all_options or seq.start != default_start:
        lines.append(f"START WITH {seq.start}")
    if all_options or seq.increment != 1:
        lines.append(f"INCREMENT BY {seq.increment}")
    if seq.min_value != low:
        lines.append(f"MINVALUE {seq.min_value}")
    elif all_options:
        lines.append("NO MINVALUE")
    if seq.max_value != high:
        lines.append(f"MAXVALUE {seq.max_value}")
    elif all_options:
        lines.append("NO MAXVALUE")
    if all_options or seq.cache != 1:
        lines.append(f"CACHE {seq.cache}")
    if seq.cycle:
        lines.append("CYCLE")
    return lines


def create_sequence(seq: Sequence, options: DdlOptions) -> str:
    """`CREATE SEQUENCE` with every option, as pg_dump writes it."""
    unlogged = "UNLOGGED " if seq.unlogged else ""
    if_not_exists = "IF NOT EXISTS " if options.if_not_exists else ""
    lines = [f"CREATE {unlogged}SEQUENCE {if_not_exists}{qualified(seq.schema, seq.name)}"]
    if seq.data_type != "bigint":
        lines.append(f"    AS {seq.data_type}")
    lines.extend(f"    {line}" for line in _option_lines(seq, all_options=True))
    return "\n".join(lines) + ";"


def owned_by(seq: Sequence, table: Table) -> str:
    """`ALTER SEQUENCE ... OWNED BY`: ties the sequence's life to its column, as serial does."""
    assert seq.owned_by_column is not None
    column = f"{qualified(table.schema, table.name)}.{quote_ident(seq.owned_by_column)}"
    return f"ALTER SEQUENCE {qualified(seq.schema, seq.name)} OWNED BY {column};"


def sequence_owner(seq: Sequence) -> str:
    """`ALTER SEQUENCE ... OWNER TO`, for standalone sequences (owned ones follow the table)."""
    return f"ALTER SEQUENCE {qualified(seq.schema, seq.name)} OWNER TO {quote_ident(seq.owner)};"


def sequence_comment(seq: Sequence) -> list[str]:
    """`COMMENT ON SEQUENCE`, where pg_dump puts it: after the sequence's OWNED BY (an identity
    sequence's: after its table, which creates it)."""
    if seq.comment is None:
        return []
    name = qualified(seq.schema, seq.name)
    return [f"COMMENT ON SEQUENCE {name} IS {quote_literal(seq.comment)};"]


def identity_clause(column: Column, seq: Sequence | None, table: Table) -> str:
    """`GENERATED ALWAYS|BY DEFAULT AS IDENTITY`, with `( ... )` only for non-default options."""
    clause = f"GENERATED {column.identity} AS IDENTITY"
    if seq is None:
        return clause
    options = []
    default_name = default_object_name(table.name, column.name, "seq")
    if seq.schema != table.schema or seq.name != default_name:
        options.append(f"SEQUENCE NAME {qualified(seq.schema, seq.name)}")
    options.extend(_option_lines(seq, all_options=False))
    if options:
        clause += " (" + " ".join(options) + ")"
    return clause
