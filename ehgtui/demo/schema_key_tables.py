"""The README's key tables, hand-written with realistic columns, plus the tables the RLS
patterns rely on (`organizations`, `user_roles`, `user_organizations`).

The wide `strategic_directives_v2` lives in `schema_sd_table`, the SD/PRD/agent/quality/
compliance key tables in `schema_work_tables`; this module has the rest and the lists.
"""

from __future__ import annotations

from ehgtui.demo.schema_key_common import SD_TABLE, TS, col, key_spec
from ehgtui.demo.schema_model import (
    ForeignKey,
    Index,
    Policy,
    TableSpec,
    timestamps,
    uuid_pk,
)
from ehgtui.demo.schema_policies import UID, RlsPattern, pattern_policies, service_role_policy
from ehgtui.demo.schema_sd_table import strategic_directives_v2
from ehgtui.demo.schema_work_tables import work_tables


def key_tables() -> list[TableSpec]:
    """Every hand-written table of schema public (the README's key tables and helpers)."""
    tables = [
        strategic_directives_v2(),
        key_spec(
            "organizations",
            (
                col("name", "text", "NOT NULL"),
                col("slug", "text", "NOT NULL"),
                col("plan", "text", "DEFAULT 'free'::text"),
                col("settings", "jsonb", "DEFAULT '{}'::jsonb"),
            ),
            RlsPattern.AUTHENTICATED_READ,
            0,
            uniques=(("slug",),),
            comment="Organizations that own ventures and directives (org-scoped RLS).",
            updated_at_function="set_updated_at",
        ),
        TableSpec(
            name="user_roles",
            columns=(
                uuid_pk(),
                col("user_id", "uuid", "NOT NULL"),
                col("role", "text", "NOT NULL", "admin, chairman, engineer or viewer."),
                col("granted_by", "uuid"),
                *timestamps(),
            ),
            uniques=(("user_id", "role"),),
            checks=(("role", "role = ANY (ARRAY['admin', 'chairman', 'engineer', 'viewer'])"),),
            foreign_keys=(ForeignKey(("user_id",), "auth.users", on_delete="CASCADE"),),
            policies=(
                service_role_policy(0),
                Policy(
                    "Users can view own roles", "SELECT", ("authenticated",), f"user_id = {UID}"
                ),
            ),
            comment="Application roles per user; policies check it for admin-only access.",
            updated_at_function="set_updated_at",
        ),
        TableSpec(
            name="user_organizations",
            columns=(
                uuid_pk(),
                col("user_id", "uuid", "NOT NULL"),
                col("org_id", "uuid", "NOT NULL"),
                col("member_role", "text", "DEFAULT 'member'::text"),
                *timestamps(),
            ),
            uniques=(("user_id", "org_id"),),
            foreign_keys=(
                ForeignKey(("user_id",), "auth.users", on_delete="CASCADE"),
                ForeignKey(("org_id",), "public.organizations", on_delete="CASCADE"),
            ),
            policies=(
                service_role_policy(2),
                Policy(
                    "Members see own memberships", "SELECT", ("authenticated",), f"user_id = {UID}"
                ),
            ),  # fmt: skip
            comment="Which organizations each user belongs to.",
            updated_at_function="set_updated_at",
        ),
        key_spec(
            "ventures",
            (
                col("name", "text", "NOT NULL"),
                col("slug", "text", "NOT NULL"),
                col("description", "text"),
                col("status", "text", "NOT NULL DEFAULT 'active'::text"),
                col("current_stage", "public.venture_stage_kind", "DEFAULT 'ideation'"),
                col("current_stage_number", "integer", "DEFAULT 1", "Stage 1-40."),
                col("industry", "text"),
                col("target_market", "text"),
                col("business_model", "text"),
                col("valuation", "numeric(14,2)"),
                col("funding_raised", "numeric(14,2)", "DEFAULT 0"),
                col("health_score", "numeric(5,2)"),
                col("tags", "text[]", "DEFAULT '{}'::text[]"),
                col("metadata", "jsonb", "DEFAULT '{}'::jsonb"),
                col("organization_id", "uuid"),
                col("is_demo", "boolean", "DEFAULT false"),
                col("launched_at", TS),
            ),
            RlsPattern.ORG_SCOPED,
            0,
            uniques=(("slug",),),
            checks=(
                ("status", "status = ANY (ARRAY['active', 'paused', 'killed', 'exited'])"),
                ("stage_number", "current_stage_number BETWEEN 1 AND 40"),
            ),
            foreign_keys=(
                ForeignKey(("organization_id",), "public.organizations", on_delete="CASCADE"),
            ),
            indexes=(Index("idx_ventures_status", "status"),),
            comment="The venture portfolio: one row per venture in the 40-stage workflow.",
            updated_at_function="trigger_set_updated_at",
            updated_at_trigger="trigger_ventures_updated_at",
        ),
        key_spec(
            "venture_stages",
            (
                col("venture_id", "uuid", "NOT NULL"),
                col("stage_number", "integer", "NOT NULL"),
                col("stage_kind", "public.venture_stage_kind", "NOT NULL"),
                col("name", "text", "NOT NULL"),
                col("status", "text", "DEFAULT 'not_started'::text"),
                col("gate_passed", "boolean"),
                col("score", "numeric(5,2)"),
                col("required_artifacts", "text[]"),
                col("allowed_next_kinds", "public.venture_stage_kind[]"),
                col("notes", "text"),
                col("metadata", "jsonb", "DEFAULT '{}'::jsonb"),
                col("started_at", TS),
                col("completed_at", TS),
            ),
            RlsPattern.AUTHENTICATED_READ,
            1,
            uniques=(("venture_id", "stage_number"),),
            foreign_keys=(ForeignKey(("venture_id",), "public.ventures", on_delete="CASCADE"),),
            comment="Progress of each venture through the stage workflow.",
            updated_at_function="trigger_set_updated_at",
        ),
        key_spec(
            "venture_artifacts",
            (
                col("venture_id", "uuid", "NOT NULL"),
                col("stage_id", "uuid"),
                col("artifact_type", "text", "NOT NULL"),
                col("title", "text", "NOT NULL"),
                col("content", "text"),
                col("content_json", "jsonb"),
                col("file_url", "text"),
                col("version", "integer", "NOT NULL DEFAULT 1"),
                col("is_current", "boolean", "DEFAULT true"),
                col("quality_score", "numeric(5,2)"),
                col("created_by", "uuid"),
            ),
            RlsPattern.USER_OWNED,
            1,
            foreign_keys=(
                ForeignKey(("venture_id",), "public.ventures", on_delete="CASCADE"),
                ForeignKey(("stage_id",), "public.venture_stages", on_delete="SET NULL"),
            ),
            indexes=(Index("idx_venture_artifacts_created_by", "created_by"),),
            comment="Documents and files produced at each venture stage.",
        ),
        TableSpec(
            name="leo_protocols",
            columns=(
                col("id", "character varying(50)", "NOT NULL", "e.g. leo-v4-3-3."),
                col("version", "text", "NOT NULL"),
                col("title", "text", "NOT NULL"),
                col("description", "text"),
                col("status", "text", "NOT NULL DEFAULT 'draft'::text"),
                col("content", "text"),
                col("is_active", "boolean", "DEFAULT false"),
                col("superseded_by", "character varying(50)"),
                col("metadata", "jsonb", "DEFAULT '{}'::jsonb"),
                *timestamps(),
            ),
            uniques=(("version",),),
            checks=(("status", "status = ANY (ARRAY['active', 'superseded', 'draft'])"),),
            foreign_keys=(
                ForeignKey(("superseded_by",), "public.leo_protocols", on_delete="SET NULL"),
            ),
            policies=pattern_policies(RlsPattern.AUTHENTICATED_READ, 0),
            comment="Versions of the LEO Protocol; exactly one is active.",
            updated_at_function="fn_set_updated_at",
        ),
        TableSpec(
            name="leo_protocol_sections",
            columns=(
                col("id", "serial", "NOT NULL"),
                col("protocol_id", "character varying(50)", "NOT NULL"),
                col("section_type", "text", "NOT NULL"),
                col("title", "text", "NOT NULL"),
                col("content", "text", "NOT NULL"),
                col("order_index", "integer", "NOT NULL"),
                col("context_tier", "text", comment="Which CLAUDE file the section goes to."),
                col("target_file", "text"),
                col("metadata", "jsonb", "DEFAULT '{}'::jsonb"),
                *timestamps(),
            ),
            foreign_keys=(
                ForeignKey(("protocol_id",), "public.leo_protocols", on_delete="CASCADE"),
            ),
            policies=pattern_policies(RlsPattern.AUTHENTICATED_READ, 1),
            comment="Sections of a LEO Protocol version, rendered into CLAUDE*.md files.",
            updated_at_function="fn_set_updated_at",
        ),
        key_spec(
            "leo_sub_agents",
            (
                col("code", "text", "NOT NULL"),
                col("name", "text", "NOT NULL"),
                col("description", "text"),
                col("activation_type", "text", "DEFAULT 'automatic'::text"),
                col("priority", "integer", "DEFAULT 50"),
                col("script_path", "text"),
                col("context_file", "text"),
                col("active", "boolean", "DEFAULT true"),
                col("capabilities", "text[]"),
                col("trigger_keywords", "text[]"),
                col("protocol_id", "character varying(50)"),
                col("metadata", "jsonb", "DEFAULT '{}'::jsonb"),
            ),
            RlsPattern.AUTHENTICATED_READ,
            2,
            uniques=(("code",),),
            checks=(("activation", "activation_type = ANY (ARRAY['automatic', 'manual'])"),),
            foreign_keys=(
                ForeignKey(("protocol_id",), "public.leo_protocols", on_delete="SET NULL"),
            ),
            comment="Sub-agents (DATABASE, SECURITY, TESTING, ...) the protocol can invoke.",
            updated_at_function="fn_set_updated_at",
        ),
        *work_tables(),
    ]
    return tables


KEY_TABLE_NAMES = (
    SD_TABLE,
    "sd_phase_handoffs",
    "sd_backlog_map",
    "product_requirements_v2",
    "leo_protocols",
    "leo_sub_agents",
    "leo_protocol_sections",
    "agent_artifacts",
    "agent_task_contracts",
    "retrospectives",
    "ai_quality_assessments",
    "compliance_policies",
    "circuit_breaker_blocks",
    "failure_patterns",
    "ventures",
    "venture_stages",
    "venture_artifacts",
)
"""The README's key tables that exist (live as in the demo)."""

KEY_TABLE_NAMES_MISSING = (
    "prd_quality_scores",
    "agent_runs",
    "lessons_learned",
    "skills_inventory",
    "skill_assignments",
)
"""The README's key tables the live database (and so the demo) lacks."""
