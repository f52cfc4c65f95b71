"""Stand-ins for what Supabase provides and a bare PostgreSQL lacks.

Roles `anon`, `authenticated` and `service_role` (cluster-wide, so created only when missing,
tolerating a concurrent creator), schemas `auth`, `storage`, `extensions` and
`supabase_migrations`, the `auth.uid()/role()/jwt()` functions written as Supabase writes them,
`auth.users`, the storage tables, the migration history and Supabase's default grants.
The extensions themselves are made in `schema_objects` (contrib ones only).
"""

from __future__ import annotations

import random

from ehgtui.demo.schema_model import Column, ForeignKey, Index, Policy, TableSpec, literal

ROLES_SQL = """\
DO $roles$
DECLARE
    spec text[];
BEGIN
    FOREACH spec SLICE 1 IN ARRAY ARRAY[
        ARRAY['anon', 'NOLOGIN NOINHERIT'],
        ARRAY['authenticated', 'NOLOGIN NOINHERIT'],
        ARRAY['service_role', 'NOLOGIN NOINHERIT BYPASSRLS']
    ] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = spec[1]) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I %s', spec[1], spec[2]);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;  -- another session created it meanwhile: roles are cluster-wide
            END;
        END IF;
    END LOOP;
END
$roles$;"""

AUTH_SQL = """\
CREATE SCHEMA auth;
CREATE SCHEMA storage;
CREATE SCHEMA extensions;
CREATE SCHEMA supabase_migrations;
COMMENT ON SCHEMA auth IS 'Stand-in for Supabase Auth: users and the JWT helper functions.';
COMMENT ON SCHEMA extensions IS 'Where Supabase installs extensions.';

CREATE FUNCTION auth.uid() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
COMMENT ON FUNCTION auth.uid() IS 'Deprecated. Use auth.jwt() -> ''sub'' instead.';

CREATE FUNCTION auth.role() RETURNS text
    LANGUAGE sql STABLE
    AS $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
COMMENT ON FUNCTION auth.role() IS 'Deprecated. Use auth.jwt() -> ''role'' instead.';

CREATE FUNCTION auth.jwt() RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
  select
    coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

CREATE TABLE auth.users (
    id uuid NOT NULL,
    aud character varying(255),
    role character varying(255),
    email text,
    encrypted_password character varying(255),
    email_confirmed_at timestamp with time zone,
    last_sign_in_at timestamp with time zone,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    is_super_admin boolean,
    created_at timestamp with time zone DEFAULT now(),
    updated_at timestamp with time zone DEFAULT now(),
    CONSTRAINT users_pkey PRIMARY KEY (id)
);
CREATE UNIQUE INDEX users_email_key ON auth.users USING btree (email);
ALTER TABLE auth.users ENABLE ROW LEVEL SECURITY;
COMMENT ON TABLE auth.users IS 'Auth: Stores user login data within a secure schema.';"""

ENUMS_SQL = """\
CREATE TYPE public.sd_status AS ENUM (
    'draft', 'pending_approval', 'approved', 'in_progress', 'active', 'blocked',
    'completed', 'archived', 'cancelled', 'deferred'
);
CREATE TYPE public.sd_priority AS ENUM ('critical', 'high', 'medium', 'low');
CREATE TYPE public.venture_stage_kind AS ENUM (
    'ideation', 'validation', 'planning', 'build', 'launch', 'growth', 'scale', 'exit'
);
CREATE TYPE public.handoff_status AS ENUM ('pending', 'accepted', 'rejected', 'superseded');
CREATE TYPE public.severity_level AS ENUM ('info', 'low', 'medium', 'high', 'critical');
CREATE TYPE public.agent_status AS ENUM (
    'queued', 'claimed', 'running', 'completed', 'failed', 'cancelled'
);
COMMENT ON TYPE public.sd_status IS 'Lifecycle status of a strategic directive.';"""

UPDATED_AT_FUNCTIONS = (
    "update_updated_at_column",
    "trigger_set_updated_at",
    "trg_set_updated_at",
    "set_updated_at",
    "fn_set_updated_at",
)
"""The names under which the same updated_at trigger function exists (as it does live)."""

_UPDATED_AT_BODY = """\
CREATE FUNCTION public.{name}() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$$;"""

TRIGGER_FUNCTIONS_SQL = "\n\n".join(
    _UPDATED_AT_BODY.format(name=n) for n in UPDATED_AT_FUNCTIONS
) + (
    """

CREATE FUNCTION public.increment_version() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
BEGIN
    NEW.version = OLD.version + 1;
    RETURN NEW;
END;
$$;

CREATE FUNCTION public.notify_sd_status_change() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO ''
    AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        PERFORM pg_notify('sd_status_changed', json_build_object(
            'id', NEW.id, 'sd_key', NEW.sd_key, 'from', OLD.status, 'to', NEW.status)::text);
    END IF;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION public.notify_sd_status_change()
    IS 'Notifies listeners of SD status changes.';"""
)


def storage_tables() -> list[TableSpec]:
    """storage.buckets and storage.objects, shaped like Supabase Storage's."""
    buckets = TableSpec(
        name="buckets",
        schema="storage",
        columns=(
            Column("id", "text", "NOT NULL"),
            Column("name", "text", "NOT NULL"),
            Column("owner", "uuid"),
            Column("public", "boolean", "DEFAULT false"),
            Column("file_size_limit", "bigint"),
            Column("allowed_mime_types", "text[]"),
            Column("created_at", "timestamp with time zone", "DEFAULT now()"),
            Column("updated_at", "timestamp with time zone", "DEFAULT now()"),
        ),
        uniques=(("name",),),
        policies=(Policy("Public buckets are visible", "SELECT", ("public",), "public"),),
        comment="Storage buckets.",
    )
    objects = TableSpec(
        name="objects",
        schema="storage",
        columns=(
            Column("id", "uuid", "NOT NULL DEFAULT gen_random_uuid()"),
            Column("bucket_id", "text", "NOT NULL"),
            Column("name", "text", "NOT NULL"),
            Column("owner", "uuid"),
            Column("metadata", "jsonb"),
            Column(
                "path_tokens",
                "text[]",
                "GENERATED ALWAYS AS (string_to_array(name, '/'::text)) STORED",
            ),
            Column("created_at", "timestamp with time zone", "DEFAULT now()"),
            Column("updated_at", "timestamp with time zone", "DEFAULT now()"),
            Column("last_accessed_at", "timestamp with time zone", "DEFAULT now()"),
        ),
        uniques=(("bucket_id", "name"),),
        foreign_keys=(ForeignKey(("bucket_id",), "storage.buckets"),),
        indexes=(Index("objects_owner_idx", "owner"),),
        policies=(
            Policy(
                "Users read own objects",
                "SELECT",
                ("authenticated",),
                "owner = (select auth.uid())",
            ),
            Policy(
                "Users upload own objects",
                "INSERT",
                ("authenticated",),
                check="owner = (select auth.uid()) AND bucket_id = 'venture-artifacts'",
            ),
        ),
        comment="Storage objects (files) in buckets.",
    )
    return [buckets, objects]


_MIGRATION_TOPICS = (
    "create_strategic_directives_v2",
    "create_leo_protocol_tables",
    "add_sd_phase_handoffs",
    "create_product_requirements_v2",
    "add_rls_policies_core",
    "create_ventures_and_stages",
    "add_venture_artifacts",
    "create_agent_task_contracts",
    "add_agent_artifacts_ttl",
    "create_retrospectives",
    "add_ai_quality_assessments",
    "create_compliance_policies",
    "add_circuit_breaker_blocks",
    "create_failure_patterns",
    "add_sd_backlog_map",
    "create_eva_tables",
    "add_chairman_dashboard",
    "create_uat_tracking",
    "add_security_audit_tables",
    "consolidate_updated_at_triggers",
    "add_org_scoped_policies",
    "create_user_roles",
    "fix_rls_initplan_auth_uid",
    "add_missing_fk_indexes",
    "create_marketing_tables",
    "add_crm_pipeline",
    "create_ops_runbooks",
    "add_gate_reviews",
    "create_sms_tables",
    "drop_legacy_lessons_learned",
)


def migrations_sql() -> str:
    """The supabase_migrations.schema_migrations table and its ~30 rows of history."""
    rng = random.Random("ehg-demo-migrations")
    rows = []
    day, second = 0, 0
    for index, topic in enumerate(_MIGRATION_TOPICS):
        day += rng.randint(2, 9)
        second = rng.randint(0, 86399)
        month, mday = divmod(day, 28)
        version = (
            f"2025{month + 1:02d}{mday + 1:02d}"
            f"{second // 3600:02d}{second // 60 % 60:02d}{second % 60:02d}"
        )
        statements = [
            f"-- {topic.replace('_', ' ')}",
            f"SELECT 'migration {index + 1} of {len(_MIGRATION_TOPICS)}'",
        ]
        array = "ARRAY[" + ", ".join(literal(s) for s in statements) + "]"
        rows.append(f"    ({literal(version)}, {literal(topic)}, {array})")
    return (
        "CREATE TABLE supabase_migrations.schema_migrations (\n"
        "    version text NOT NULL,\n"
        "    name text,\n"
        "    statements text[],\n"
        "    CONSTRAINT schema_migrations_pkey PRIMARY KEY (version)\n"
        ");\n"
        "INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES\n"
        + ",\n".join(rows)
        + ";"
    )


GRANTS_SQL = """\
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA storage TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public
    TO anon, authenticated, service_role;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO anon, authenticated, service_role;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA storage
    TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION auth.uid(), auth.role(), auth.jwt()
    TO anon, authenticated, service_role;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO anon, authenticated, service_role;"""
