"""The demo's objects beyond tables: extensions, types, sequences, RPCs, helpers, publication.

What the live EHG_Engineer schema has and a bare table list lacks: RPCs in SQL and in
PL/pgSQL (`<table>_by_id`, `archive_<table>`, ...), security-definer helpers (some setting
`search_path`, some not), an overloaded function, enums and a domain used by columns,
standalone sequences, `supabase_realtime` with a few tables, extensions in their own schema
and one in `public`. Only contrib extensions that every supported server build ships are used
(`pg_trgm`, `fuzzystrmatch`, `citext`).

Every function of `public` sets its `search_path` and every security-definer function is
closed to the API roles, except the objects of `PLANTED_OBJECT_DEFECTS` (in `schema_defects`),
which carry exactly the defects listed there.
"""

from __future__ import annotations

import random
from dataclasses import replace

from ehgtui.demo.schema_defects import DEFECT_TABLES
from ehgtui.demo.schema_model import Column, TableSpec

EXTENSIONS_SQL = """\
CREATE EXTENSION pg_trgm WITH SCHEMA extensions VERSION '1.5';
CREATE EXTENSION fuzzystrmatch WITH SCHEMA extensions;"""
"""Extensions in their own schema, made before the tables (pg_trgm is one version behind)."""

PUBLIC_EXTENSION_SQL = "CREATE EXTENSION citext WITH SCHEMA public;"
"""The extension installed in `public`, made after the grants so that `GRANT ... ON ALL
FUNCTIONS IN SCHEMA public` does not reach its member functions."""

EXTRA_ENUM_NAMES: tuple[str, ...] = (
    "risk_level", "approval_state", "artifact_kind", "channel_kind", "contract_state",
    "deployment_env", "document_kind", "escalation_tier", "experiment_state", "feedback_kind",
    "funding_stage", "gate_outcome", "incident_state", "integration_kind", "invoice_state",
    "kpi_trend", "lead_source", "meeting_kind", "message_channel", "milestone_state",
    "notification_kind", "okr_state", "payment_state", "phase_kind", "pipeline_stage",
    "protocol_state", "queue_state", "release_channel", "review_outcome", "run_outcome",
    "scan_result", "segment_kind", "sentiment", "session_state", "sla_tier", "task_kind",
    "ticket_state", "transcript_state", "vendor_tier",
)  # fmt: skip
"""Enums added to the six of `ENUMS_SQL` (45 in all, as live)."""

_ENUM_LABELS = (
    ("low", "medium", "high", "critical"),
    ("draft", "submitted", "approved", "rejected"),
    ("pending", "active", "done", "cancelled", "failed"),
    ("none", "minor", "major"),
)

STANDALONE_SEQUENCE_COUNT = 44
"""Sequences owned by no column (with the serial and identity ones, about the live 47)."""

TYPES_SQL_HEAD = """\
CREATE DOMAIN public.email_address AS text
    CONSTRAINT email_address_check CHECK (VALUE ~ '^[^@[:space:]]+@[^@[:space:]]+$');
COMMENT ON DOMAIN public.email_address IS 'An e-mail address (one @, no spaces).';
CREATE DOMAIN public.percentage AS numeric(5,2) NOT NULL DEFAULT 0
    CONSTRAINT percentage_range CHECK (VALUE >= 0 AND VALUE <= 100);

CREATE SEQUENCE public.sd_key_seq AS integer START WITH 1000 INCREMENT BY 1 CACHE 1;
CREATE SEQUENCE public.invoice_number_seq START WITH 50000 INCREMENT BY 10 MINVALUE 50000
    MAXVALUE 999999999 CACHE 20;
CREATE SEQUENCE public.ticket_number_seq AS bigint START WITH 1 CYCLE MAXVALUE 99999;"""


def _enums_sql() -> str:
    out = []
    for index, name in enumerate(EXTRA_ENUM_NAMES):
        labels = ", ".join(f"'{label}'" for label in _ENUM_LABELS[index % len(_ENUM_LABELS)])
        out.append(f"CREATE TYPE public.{name} AS ENUM ({labels});")
    return "\n".join(out)


def _sequences_sql() -> str:
    rng = random.Random("ehg-demo-sequences")
    out = []
    for index in range(STANDALONE_SEQUENCE_COUNT - 3):
        start = rng.choice((1, 100, 1000, 10000))
        out.append(
            f"CREATE SEQUENCE public.batch_{index + 1:02d}_seq START WITH {start}"
            f" CACHE {rng.choice((1, 10))};"
        )
    return "\n".join(out)


def types_sql() -> str:
    """Enums, domains and standalone sequences: made before the tables that use them."""
    return "\n\n".join((TYPES_SQL_HEAD, _enums_sql(), _sequences_sql()))


TYPED_COLUMNS: dict[str, tuple[Column, ...]] = {
    "venture_team_members": (Column("contact_email", "public.email_address"),),
    "venture_risks": (
        Column("risk_level", "public.risk_level", "NOT NULL DEFAULT 'medium'::public.risk_level"),
        Column("likelihood", "public.percentage"),
    ),
    "venture_funding_rounds": (Column("stage", "public.funding_stage"),),
    "venture_releases": (Column("channel", "public.release_channel"),),
}
"""Columns of generated tables that use the added enums and domains."""


def apply_typed_columns(specs: dict[str, TableSpec]) -> None:
    """Add `TYPED_COLUMNS` to their tables (before created_at and updated_at)."""
    for name, columns in TYPED_COLUMNS.items():
        spec = specs[name]
        *head, created, updated = spec.columns
        specs[name] = replace(spec, columns=(*head, *columns, created, updated))


RPC_TABLE_COUNT = 370
"""How many generated tables get a `<table>_by_id` (SQL) and an `archive_<table>` (PL/pgSQL)
RPC: with the hand-written functions, about the live 760."""

HELPERS_SQL = """\
CREATE FUNCTION public.get_sd_by_key(p_sd_key text) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  SELECT pg_catalog.to_jsonb(sd) FROM public.strategic_directives_v2 sd WHERE sd.sd_key = p_sd_key
$$;
COMMENT ON FUNCTION public.get_sd_by_key(text) IS 'RPC: one SD by its key.';

CREATE FUNCTION public.claim_next_agent_task(p_agent text) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
DECLARE
    v_id uuid;
BEGIN
    SELECT c.id INTO v_id FROM public.agent_task_contracts c
     WHERE c.target_agent = p_agent AND c.status = 'queued'::public.agent_status
     ORDER BY c.created_at LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF v_id IS NOT NULL THEN
        UPDATE public.agent_task_contracts SET status = 'claimed'::public.agent_status
         WHERE id = v_id;
    END IF;
    RETURN v_id;
END;
$$;
COMMENT ON FUNCTION public.claim_next_agent_task(text) IS 'RPC: claim the oldest queued task.';

CREATE FUNCTION public.next_sd_key() RETURNS text
    LANGUAGE sql VOLATILE
    SET search_path TO ''
    AS $$
  SELECT 'SD-' || nextval('public.sd_key_seq'::regclass)::text
$$;

CREATE FUNCTION public.log_audit_event(p_action text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  SELECT pg_catalog.pg_notify('audit', p_action)
$$;
CREATE FUNCTION public.log_audit_event(p_action text, p_details jsonb) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO ''
    AS $$
  SELECT pg_catalog.pg_notify('audit', p_action || ' ' || p_details::text)
$$;
COMMENT ON FUNCTION public.log_audit_event(text, jsonb) IS 'Audit with details (overload).';

CREATE FUNCTION public.search_ventures(p_query text)
    RETURNS TABLE(id uuid, name text, similarity real)
    LANGUAGE sql STABLE
    AS $$
  SELECT v.id, v.name, extensions.similarity(v.name, p_query)
    FROM public.ventures v
   WHERE extensions.similarity(v.name, p_query) > 0.3
$$;

CREATE FUNCTION public.has_venture_access(p_venture_id uuid) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.ventures v
      JOIN public.user_organizations uo ON uo.org_id = v.organization_id
     WHERE v.id = p_venture_id AND uo.user_id = auth.uid()
  )
$$;
COMMENT ON FUNCTION public.has_venture_access(uuid) IS 'Security-definer helper for policies.';

CREATE FUNCTION public.refresh_portfolio_summary() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    AS $$
BEGIN
    REFRESH MATERIALIZED VIEW public.mv_venture_portfolio_summary;
END;
$$;

CREATE FUNCTION public.audit_row_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('row_changed', TG_TABLE_NAME || ':' || TG_OP);
    RETURN COALESCE(NEW, OLD);
END;
$$;
CREATE TRIGGER trg_audit_ventures AFTER INSERT OR UPDATE OR DELETE ON public.ventures
    FOR EACH ROW EXECUTE FUNCTION public.audit_row_change();
CREATE TRIGGER tr_audit_sd_phase_handoffs AFTER INSERT OR UPDATE ON public.sd_phase_handoffs
    FOR EACH ROW EXECUTE FUNCTION public.audit_row_change();"""
"""RPCs, security-definer helpers (defects planted on has_venture_access and
refresh_portfolio_summary), an overload and an audit trigger function."""


def rpc_tables(specs: list[TableSpec]) -> list[str]:
    """The generated tables that get RPCs: clean ones with an `id` primary key."""
    rng = random.Random("ehg-demo-rpcs")
    candidates = sorted(
        t.name
        for t in specs
        if t.name not in DEFECT_TABLES and t.primary_key == ("id",) and t.schema == "public"
    )
    return sorted(rng.sample(candidates, RPC_TABLE_COUNT))


def rpcs_sql(tables: list[str]) -> str:
    """A `<table>_by_id` SQL RPC and an `archive_<table>` PL/pgSQL RPC per table. They return
    jsonb and boolean, not the table's row type, so that the table can still be dropped (the
    server records no dependency on the tables a body reads)."""
    out = []
    for table in tables:
        out.append(
            f"CREATE FUNCTION public.{table}_by_id(p_id uuid) RETURNS jsonb\n"
            f"    LANGUAGE sql STABLE\n"
            f"    SET search_path TO ''\n"
            f"    AS $$ SELECT pg_catalog.to_jsonb(t) FROM public.{table} t WHERE t.id = p_id $$;\n"
            f"CREATE FUNCTION public.archive_{table}(p_id uuid) RETURNS boolean\n"
            f"    LANGUAGE plpgsql\n"
            f"    SET search_path TO ''\n"
            f"    AS $$\n"
            f"BEGIN\n"
            f"    DELETE FROM public.{table} WHERE id = p_id;\n"
            f"    RETURN FOUND;\n"
            f"END;\n"
            f"$$;"
        )
    return "\n".join(out)


CLEAN_SECURITY_DEFINER = (
    "public.is_admin()",
    "public.get_user_org_ids()",
    "public.log_audit_event(text)",
    "public.log_audit_event(text, jsonb)",
)
"""Security-definer functions closed to the API roles (only service_role may call them)."""

SECURITY_DEFINER_VIEWS = ("v_admin_users", "sd_dashboard")
"""Views left without security_invoker (planted defects); every other view gets it."""

API_MATERIALIZED_VIEW = "mv_venture_portfolio_summary"
"""The materialized view left selectable by the API roles (a planted defect)."""

REALTIME_TABLES = (
    "strategic_directives_v2",
    "sd_phase_handoffs",
    "agent_task_contracts",
    "notifications",
)
"""The tables of the `supabase_realtime` publication."""


def after_grants_sql(view_names: list[str]) -> str:
    """Revokes that close what should be closed, security_invoker on views, citext in
    public and the publication: run after `GRANTS_SQL`."""
    closed = ", ".join(CLEAN_SECURITY_DEFINER)
    lines = [
        f"REVOKE EXECUTE ON FUNCTION {closed} FROM PUBLIC, anon, authenticated;",
        f"GRANT EXECUTE ON FUNCTION {closed} TO service_role;",
        "REVOKE EXECUTE ON FUNCTION public.has_venture_access(uuid) FROM PUBLIC, anon;",
        "REVOKE SELECT ON public.mv_sd_status_counts FROM anon, authenticated;",
    ]
    for name in sorted(view_names):
        if name not in SECURITY_DEFINER_VIEWS:
            lines.append(f"ALTER VIEW public.{name} SET (security_invoker = true);")
    lines.append(PUBLIC_EXTENSION_SQL)
    tables = ", ".join(f"public.{t}" for t in REALTIME_TABLES)
    lines.append(f"CREATE PUBLICATION supabase_realtime FOR TABLE {tables};")
    return "\n".join(lines)
