"""The defects planted in the demo schema, and how they are applied to the table specs.

Every kind is planted on a small, named set of tables of schema `public`; every other table
of `public` is clean of that kind, so checks can be tested against `PLANTED_DEFECTS` exactly.
The exact meaning of each kind is in `DEFECT_KINDS`. Schemas other than `public` (auth,
storage, supabase_migrations) follow Supabase's shapes and are outside this contract.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ehgtui.demo.schema_model import Column, ForeignKey, Index, Policy, TableSpec
from ehgtui.demo.schema_policies import service_role_policy


@dataclass(frozen=True)
class PlantedDefect:
    """One deliberate defect: which table of schema public, which kind, and what exactly."""

    table: str
    kind: str
    detail: str


DEFECT_KINDS: dict[str, str] = {
    "rls_disabled": "row level security is not enabled (whether or not policies exist)",
    "rls_enabled_no_policy": "row level security is enabled and the table has no policy",
    "policies_but_rls_disabled": "the table has policies but row level security is disabled",
    "no_service_role_policy": (
        "row level security is enabled, the table has policies, and none of them applies to "
        "service_role explicitly or through public"
    ),
    "multiple_permissive": (
        "two permissive policies apply to the same role and command (a policy for public "
        "applies to anon and authenticated, FOR ALL to every command); service_role, which "
        "bypasses RLS, is not considered"
    ),
    "write_policy_true": (
        "a policy for anon, authenticated or public on INSERT, UPDATE, DELETE or ALL whose "
        "USING or WITH CHECK is the constant true"
    ),
    "auth_call_per_row": (
        "a policy expression calls auth.uid(), auth.role(), auth.jwt() or current_setting() "
        "directly instead of through a scalar subquery such as (select auth.uid())"
    ),
    "fk_without_index": "a foreign key's columns are not the leading columns of any index",
    "no_primary_key": "the table has no primary key",
    "duplicate_index": "two indexes have the same definition (columns, method, predicate)",
    "missing_created_at_index": "a created_at column with no index whose first column it is",
    "missing_updated_at_trigger": (
        "an updated_at column with no BEFORE UPDATE FOR EACH ROW trigger setting it"
    ),
    "non_uuid_pk": "the primary key is not a single uuid column",
    "rls_references_user_metadata": (
        "a policy expression reads auth.jwt() -> 'user_metadata' (or the request.jwt.claims "
        "setting's user_metadata), which end users can edit"
    ),
    "fkey_to_auth_unique": (
        "a foreign key to a table of schema auth through a unique key other than its primary "
        "key (Supabase may change auth's unique constraints)"
    ),
    "unsupported_reg_types": (
        "a column of a reg* type other than regclass, regrole and regtype (pg_upgrade refuses them)"
    ),
}
"""Every defect kind and its exact definition (tables of schema public only)."""

_D = PlantedDefect
PLANTED_DEFECTS: tuple[PlantedDefect, ...] = (
    _D("leo_protocol_backup", "rls_disabled", "RLS never enabled; no policies"),
    _D("temp_import_rows", "rls_disabled", "RLS never enabled; no policies"),
    _D("venture_draft_notes", "rls_disabled", "RLS disabled although policies exist"),
    _D("marketing_campaign_drafts", "rls_disabled", "RLS disabled although policies exist"),
    _D("eva_audio_transcripts", "rls_enabled_no_policy", "RLS enabled, no policy: denies all"),
    _D("security_scan_queue", "rls_enabled_no_policy", "RLS enabled, no policy: denies all"),
    _D("venture_draft_notes", "policies_but_rls_disabled", "2 policies, RLS disabled"),
    _D("marketing_campaign_drafts", "policies_but_rls_disabled", "2 policies, RLS disabled"),
    _D("uat_test_runs", "no_service_role_policy", "only an authenticated SELECT policy"),
    _D("chairman_briefings", "no_service_role_policy", "only an authenticated SELECT policy"),
    _D("agent_messages", "multiple_permissive", "two permissive SELECT policies for authenticated"),
    _D("crm_contacts", "multiple_permissive", "two permissive SELECT policies for authenticated"),
    _D("feedback", "multiple_permissive", "FOR ALL and FOR SELECT policies for authenticated"),
    _D("uat_feedback_items", "write_policy_true", "INSERT TO anon, authenticated: CHECK (true)"),
    _D("ops_incident_notes", "write_policy_true", "UPDATE TO authenticated USING (true)"),
    _D("user_preferences", "auth_call_per_row", "USING (auth.uid() = created_by)"),
    _D("chairman_notes", "auth_call_per_row", "USING (current_setting('request.jwt.claims'...))"),
    _D("crm_deals", "auth_call_per_row", "USING ((auth.jwt() ->> 'email') IS NOT NULL)"),
    _D("sd_scope_changes", "fk_without_index", "sd_id -> strategic_directives_v2"),
    _D("venture_exit_plans", "fk_without_index", "venture_id -> ventures"),
    _D("gate_review_comments", "fk_without_index", "sd_id -> strategic_directives_v2"),
    _D("audit_log_raw", "no_primary_key", "id uuid column without a primary key"),
    _D("eva_event_stream", "no_primary_key", "id uuid column without a primary key"),
    _D("sd_execution_timeline", "duplicate_index", "two btree indexes on (created_at)"),
    _D("venture_financials", "duplicate_index", "two btree indexes on (venture_id)"),
    _D("stage_transitions", "missing_created_at_index", "created_at not indexed"),
    _D("compliance_evidence", "missing_created_at_index", "created_at not indexed"),
    _D("leo_gate_reviews", "missing_updated_at_trigger", "updated_at never maintained"),
    _D("agent_heartbeats", "missing_updated_at_trigger", "updated_at never maintained"),
    _D("retro_action_items", "missing_updated_at_trigger", "updated_at never maintained"),
    _D("leo_protocols", "non_uuid_pk", "id character varying(50)"),
    _D("leo_protocol_sections", "non_uuid_pk", "id serial (integer)"),
    _D("sms_message_log", "non_uuid_pk", "id bigint GENERATED ALWAYS AS IDENTITY"),
    _D("github_webhook_deliveries", "non_uuid_pk", "id bigint GENERATED BY DEFAULT AS IDENTITY"),
    _D("venture_investors", "rls_references_user_metadata", "user_metadata ->> 'role' = 'admin'"),
    _D("venture_partnerships", "rls_references_user_metadata", "user_metadata ->> 'tier'"),
    _D("venture_okrs", "fkey_to_auth_unique", "owner_email -> auth.users(email)"),
    _D("venture_roadmaps", "fkey_to_auth_unique", "owner_email -> auth.users(email)"),
    _D("venture_integrations", "unsupported_reg_types", "handler regproc"),
    _D("venture_decisions", "unsupported_reg_types", "validator regprocedure"),
)  # fmt: skip
"""Every deliberate defect of the demo schema."""

DEFECT_TABLES = frozenset(d.table for d in PLANTED_DEFECTS)
"""Tables carrying at least one defect; they are never hubs or foreign-key targets."""

_UID_UNWRAPPED = "auth.uid() = created_by"


def _kinds(table: str) -> set[str]:
    return {d.kind for d in PLANTED_DEFECTS if d.table == table}


def _with_column(spec: TableSpec, column: Column) -> TableSpec:
    if spec.column(column.name) is not None:
        return spec
    *head, created, updated = spec.columns
    return replace(spec, columns=(*head, column, created, updated))


def _with_fk(spec: TableSpec) -> TableSpec:
    """Make sure the table has a foreign key (for fk_without_index / duplicate_index)."""
    if spec.foreign_keys:
        return spec
    spec = _with_column(spec, Column("sd_id", "uuid"))
    fk = ForeignKey(("sd_id",), "public.strategic_directives_v2", on_delete="CASCADE")
    return replace(spec, foreign_keys=(fk,))


def apply_defect(spec: TableSpec, kind: str, all_kinds: set[str]) -> TableSpec:
    """Return `spec` with the defect `kind` planted."""
    service = service_role_policy(0)
    read = Policy("Authenticated users can view", "SELECT", ("authenticated",), "true")
    if kind == "rls_disabled":
        keep = spec.policies if "policies_but_rls_disabled" in all_kinds else ()
        return replace(spec, rls_enabled=False, policies=keep)
    if kind == "policies_but_rls_disabled":
        return replace(spec, rls_enabled=False, policies=(service, read))
    if kind == "rls_enabled_no_policy":
        return replace(spec, policies=())
    if kind == "no_service_role_policy":
        return replace(spec, policies=(read,))
    if kind == "multiple_permissive":
        if spec.name == "feedback":
            spec = _with_column(spec, Column("created_by", "uuid"))
            owned = "created_by = (select auth.uid())"
            mine = Policy("Users manage own feedback", "ALL", ("authenticated",), owned, owned)
            return replace(spec, policies=(service, read, mine))
        second = Policy(
            "Authenticated role can read",
            "SELECT",
            ("authenticated",),
            "(select auth.role()) = 'authenticated'",
        )
        return replace(spec, policies=(service, read, second))
    if kind == "write_policy_true":
        if spec.name == "uat_feedback_items":
            bad = Policy("Anyone can submit", "INSERT", ("anon", "authenticated"), check="true")
        else:
            bad = Policy("Authenticated can edit", "UPDATE", ("authenticated",), "true", "true")
        return replace(spec, policies=(service, read, bad))
    if kind == "auth_call_per_row":
        if spec.name == "user_preferences":
            spec = _with_column(spec, Column("created_by", "uuid"))
            bad = Policy(
                "Users manage own preferences",
                "ALL",
                ("authenticated",),
                _UID_UNWRAPPED,
                _UID_UNWRAPPED,
            )
        elif spec.name == "chairman_notes":
            claims = (
                "((current_setting('request.jwt.claims', true))::jsonb ->> 'role') = 'chairman'"
            )
            bad = Policy("Chairman can read notes", "SELECT", ("authenticated",), claims)
        else:
            bad = Policy(
                "Users with email can read",
                "SELECT",
                ("authenticated",),
                "(auth.jwt() ->> 'email') IS NOT NULL",
            )
        return replace(spec, policies=(service, bad))
    if kind == "fk_without_index":
        spec = _with_fk(spec)
        first, *rest = spec.foreign_keys
        return replace(spec, foreign_keys=(replace(first, indexed=False), *rest))
    if kind == "no_primary_key":
        return replace(spec, primary_key=None, uniques=())
    if kind == "duplicate_index":
        if spec.name == "venture_financials":
            spec = _with_fk(spec)
            fk = spec.foreign_keys[0]
            if fk.columns != ("venture_id",) or not fk.indexed:
                raise ValueError(f"{spec.name}: expected an indexed venture_id foreign key")
            dup = Index(f"{spec.name}_venture_id_idx", "venture_id")
        else:
            dup = Index(f"{spec.name}_created_at_idx", "created_at")
        return replace(spec, indexes=(*spec.indexes, dup))
    if kind == "missing_created_at_index":
        return replace(spec, index_created_at=False)
    if kind == "missing_updated_at_trigger":
        return replace(spec, updated_at_function=None)
    if kind == "rls_references_user_metadata":
        key = "role" if spec.name == "venture_investors" else "tier"
        metadata = f"(((select auth.jwt()) -> 'user_metadata') ->> '{key}') = 'admin'"
        bad = Policy("Admins read (user metadata)", "SELECT", ("authenticated",), metadata)
        return replace(spec, policies=(service, bad))
    if kind == "fkey_to_auth_unique":
        spec = _with_column(spec, Column("owner_email", "text"))
        fk = ForeignKey(("owner_email",), "auth.users", ("email",), on_delete="SET NULL")
        return replace(spec, foreign_keys=(*spec.foreign_keys, fk))
    if kind == "unsupported_reg_types":
        reg = ("handler", "regproc") if spec.name == "venture_integrations" else None
        name, sql_type = reg or ("validator", "regprocedure")
        return _with_column(spec, Column(name, sql_type))
    if kind == "non_uuid_pk":
        id_column = spec.columns[0]
        if id_column.sql_type != "uuid":
            return spec  # a hand-written key table, non-uuid by design
        identity = "ALWAYS" if spec.name == "sms_message_log" else "BY DEFAULT"
        new_id = Column("id", "bigint", f"GENERATED {identity} AS IDENTITY")
        return replace(spec, columns=(new_id, *spec.columns[1:]))
    raise ValueError(f"unknown defect kind {kind}")


def apply_defects(specs: dict[str, TableSpec]) -> None:
    """Plant every defect of PLANTED_DEFECTS in `specs` (schema public tables, by name)."""
    for defect in PLANTED_DEFECTS:
        if defect.kind not in DEFECT_KINDS:
            raise ValueError(f"unknown defect kind {defect.kind}")
        spec = specs[defect.table]
        specs[defect.table] = apply_defect(spec, defect.kind, _kinds(defect.table))


@dataclass(frozen=True)
class PlantedObjectDefect:
    """One deliberate defect on an object other than a table's own columns and policies.

    `object_kind` and `name` are what a check's finding carries (`Finding.object_kind` and
    `Finding.table`): `table` for a view or materialized view by `schema.name`, `function`
    by its signature `schema.name(identity arguments)`, `extension` by its name.
    """

    object_kind: str
    name: str
    kind: str
    """The splinter lint name (the finding's code)."""
    detail: str


OBJECT_DEFECT_KINDS: dict[str, str] = {
    "security_definer_view": (
        "a view of an exposed schema without security_invoker that anon or authenticated "
        "may SELECT (it reads its tables with its owner's rights, past RLS)"
    ),
    "auth_users_exposed": (
        "a view or materialized view of public reading auth.users that anon or authenticated "
        "may SELECT"
    ),
    "materialized_view_in_api": "a materialized view anon or authenticated may SELECT",
    "function_search_path_mutable": "a function of public that does not set search_path",
    "anon_security_definer_function_executable": (
        "a SECURITY DEFINER function of public that anon may EXECUTE"
    ),
    "authenticated_security_definer_function_executable": (
        "a SECURITY DEFINER function of public that authenticated may EXECUTE"
    ),
    "extension_in_public": "an extension installed in schema public",
    "extension_versions_outdated": "an extension older than its default version",
}
"""Every object defect kind (splinter's lint names) and its exact definition."""

_O = PlantedObjectDefect
PLANTED_OBJECT_DEFECTS: tuple[PlantedObjectDefect, ...] = (
    _O("table", "public.v_admin_users", "security_definer_view", "reads auth.users, no invoker"),
    _O("table", "public.sd_dashboard", "security_definer_view", "no security_invoker"),
    _O("table", "public.v_admin_users", "auth_users_exposed", "joins auth.users"),
    _O("table", "public.mv_venture_portfolio_summary", "materialized_view_in_api", "anon SELECT"),
    _O("function", "public.search_ventures(p_query text)", "function_search_path_mutable",
       "SQL RPC without SET search_path"),
    _O("function", "public.has_venture_access(p_venture_id uuid)",
       "function_search_path_mutable", "security-definer helper without SET search_path"),
    _O("function", "public.refresh_portfolio_summary()", "function_search_path_mutable",
       "security-definer PL/pgSQL without SET search_path"),
    _O("function", "public.refresh_portfolio_summary()",
       "anon_security_definer_function_executable", "EXECUTE left to PUBLIC"),
    _O("function", "public.refresh_portfolio_summary()",
       "authenticated_security_definer_function_executable", "EXECUTE left to PUBLIC"),
    _O("function", "public.has_venture_access(p_venture_id uuid)",
       "authenticated_security_definer_function_executable", "granted to authenticated"),
    _O("extension", "citext", "extension_in_public", "CREATE EXTENSION citext WITH SCHEMA public"),
    _O("extension", "pg_trgm", "extension_versions_outdated", "1.5 installed, 1.6 available"),
)  # fmt: skip
"""Every deliberate defect of the demo's views, functions and extensions."""
