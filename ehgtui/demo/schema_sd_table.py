"""`strategic_directives_v2`: the wide benchmark table (71 columns, 22 policies).

Its policies never give two permissive policies the same role and command (FOR ALL counting
as every command, public as anon and authenticated): the extra ones are RESTRICTIVE.
"""

from __future__ import annotations

from ehgtui.demo.schema_key_common import SD_TABLE, TS, col
from ehgtui.demo.schema_model import ForeignKey, Index, Policy, TableSpec, timestamps, uuid_pk
from ehgtui.demo.schema_policies import IS_ADMIN, JWT, ORG_MEMBER, ROLE, UID, service_role_policy


def strategic_directives_v2() -> TableSpec:
    """The wide benchmark table: 71 columns and 22 policies."""
    columns = (
        uuid_pk(),
        col("sd_key", "text", "NOT NULL", "Human-readable key, e.g. SD-2025-042."),
        col("legacy_id", "character varying(50)", comment="Identifier used before the v2 table."),
        col("title", "text", "NOT NULL"),
        col("description", "text"),
        col("rationale", "text", comment="Why this directive exists."),
        col("scope", "text"),
        col("category", "text"),
        col("sd_type", "text", "NOT NULL DEFAULT 'feature'::text"),
        col("status", "public.sd_status", "NOT NULL DEFAULT 'draft'::public.sd_status"),
        col("priority", "public.sd_priority", "NOT NULL DEFAULT 'medium'::public.sd_priority"),
        col("current_phase", "text", "DEFAULT 'LEAD'::text", "LEO phase: LEAD, PLAN, EXEC, ..."),
        col("phase_progress", "integer", "DEFAULT 0"),
        col("progress_percentage", "numeric(5,2)", "DEFAULT 0"),
        col("parent_sd_id", "uuid", comment="Parent directive of a child SD (orchestrator)."),
        col("venture_id", "uuid"),
        col("protocol_version", "character varying(50)"),
        col("strategic_intent", "text"),
        col("strategic_objectives", "text[]", "DEFAULT '{}'::text[]"),
        col("success_criteria", "text[]"),
        col("success_metrics", "jsonb", "DEFAULT '[]'::jsonb"),
        col("key_changes", "jsonb"),
        col("key_principles", "text[]"),
        col("implementation_guidelines", "text[]"),
        col("dependencies", "jsonb", "DEFAULT '[]'::jsonb"),
        col("risks", "jsonb", "DEFAULT '[]'::jsonb"),
        col("assumptions", "text[]"),
        col("constraints", "text[]"),
        col("stakeholders", "text[]"),
        col("target_application", "text", "DEFAULT 'EHG_Engineer'::text"),
        col("tags", "text[]", "DEFAULT '{}'::text[]"),
        col("labels", "text[]"),
        col("blocked_statuses", "public.sd_status[]", comment="Statuses this SD may not enter."),
        col("allowed_priorities", "public.sd_priority[]"),
        col("sequence_rank", "integer"),
        col("priority_score", "numeric(6,2)"),
        col("estimated_effort_hours", "numeric(8,2)"),
        col("actual_effort_hours", "numeric(8,2)"),
        col("story_points", "integer"),
        col("complexity_score", "smallint"),
        col("risk_level", "text", "DEFAULT 'medium'::text"),
        col("is_active", "boolean", "NOT NULL DEFAULT true"),
        col("is_working_on", "boolean", "DEFAULT false", "Set while an agent works on it."),
        col("is_deleted", "boolean", "NOT NULL DEFAULT false"),
        col("is_public", "boolean", "NOT NULL DEFAULT false"),
        col("requires_review", "boolean", "DEFAULT true"),
        col("approved_by", "text"),
        col("approval_date", TS),
        col("created_by", "uuid"),
        col("updated_by", "uuid"),
        col("owner_agent", "text"),
        col("assigned_to", "text"),
        col("organization_id", "uuid"),
        col("metadata", "jsonb", "DEFAULT '{}'::jsonb"),
        col("governance_metadata", "jsonb"),
        col("exec_checklist", "jsonb"),
        col("verification_results", "jsonb"),
        col("retrospective_summary", "text"),
        col("lessons", "text[]"),
        col("related_sd_keys", "text[]"),
        col("related_prd_ids", "uuid[]"),
        col("milestone_dates", "date[]"),
        col("checkpoint_counts", "integer[]"),
        col("target_completion_date", "date"),
        col("started_at", TS),
        col("completed_at", TS),
        col("archived_at", TS),
        col("version", "integer", "NOT NULL DEFAULT 1"),
        col(
            "search_vector",
            "tsvector",
            "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "
            "(COALESCE(title, ''::text) || ' '::text) || COALESCE(description, ''::text))) STORED",
        ),
        *timestamps(),
    )
    not_deleted = "NOT is_deleted"
    restrictive = [
        ("anon_restrict_select", "SELECT", "anon", "status <> 'draft'::public.sd_status", None),
        ("anon_no_insert", "INSERT", "anon", None, "false"),
        ("anon_no_update", "UPDATE", "anon", "false", None),
        ("anon_no_delete", "DELETE", "anon", "false", None),
        ("anon_not_deleted", "ALL", "anon", not_deleted, None),
        ("authenticated_org_visibility", "SELECT", "authenticated",
         f"organization_id IS NULL OR {ORG_MEMBER}", None),
        ("authenticated_insert_draft_only", "INSERT", "authenticated", None,
         "status = ANY (ARRAY['draft'::public.sd_status, 'pending_approval'::public.sd_status])"),
        ("authenticated_update_unarchived", "UPDATE", "authenticated", "archived_at IS NULL",
         "version >= 1"),
        ("authenticated_delete_drafts", "DELETE", "authenticated",
         "status = 'draft'::public.sd_status", None),
        ("authenticated_role_claim", "ALL", "authenticated", f"{ROLE} = 'authenticated'", None),
        ("public_not_suspended", "SELECT", "public",
         f"COALESCE((({JWT} ->> 'is_suspended'))::boolean, false) = false", None),
        ("public_title_length", "INSERT", "public", None, "char_length(title) <= 500"),
        ("public_update_not_deleted", "UPDATE", "public", not_deleted, None),
        ("public_delete_not_deleted", "DELETE", "public", not_deleted, None),
        ("public_target_application", "ALL", "public", "target_application IS NOT NULL", None),
        ("service_role_sanity", "SELECT", "service_role", "true", None),
    ]  # fmt: skip
    owned = f"created_by = {UID}"
    policies = (
        service_role_policy(1),
        Policy(
            "Authenticated users can view directives", "SELECT", ("authenticated",), not_deleted
        ),
        Policy(
            "Anon can view public directives", "SELECT", ("anon",), f"is_public AND {not_deleted}"
        ),
        Policy(
            "Authenticated users can create directives", "INSERT", ("authenticated",), check=owned
        ),
        Policy(
            "Owners and admins can update directives",
            "UPDATE",
            ("authenticated",),
            f"{owned} OR {IS_ADMIN}",
            f"{owned} OR {IS_ADMIN}",
        ),
        Policy("Admins can delete directives", "DELETE", ("authenticated",), IS_ADMIN),
        *(
            Policy(name, cmd, (role,), using, check, permissive=False)
            for name, cmd, role, using, check in restrictive
        ),
    )
    return TableSpec(
        name=SD_TABLE,
        columns=columns,
        uniques=(("sd_key",), ("legacy_id",)),
        checks=(
            (
                "sd_type",
                "sd_type = ANY (ARRAY['feature', 'infrastructure', 'bugfix', 'refactor', "
                "'documentation', 'security', 'database', 'orchestrator'])",
            ),
            (
                "current_phase",
                "current_phase = ANY (ARRAY['LEAD', 'PLAN', 'EXEC', 'VERIFY', 'COMPLETE'])",
            ),
            ("phase_progress", "phase_progress >= 0 AND phase_progress <= 100"),
            ("risk_level", "risk_level = ANY (ARRAY['low', 'medium', 'high', 'critical'])"),
        ),  # fmt: skip
        foreign_keys=(
            ForeignKey(("parent_sd_id",), f"public.{SD_TABLE}", on_delete="SET NULL"),
            ForeignKey(("venture_id",), "public.ventures", on_delete="SET NULL"),
            ForeignKey(("protocol_version",), "public.leo_protocols", on_update="CASCADE"),
            ForeignKey(("organization_id",), "public.organizations", on_delete="SET NULL"),
        ),
        indexes=(
            Index("idx_sd_v2_status", "status"),
            Index("idx_sd_v2_priority", "priority"),
            Index("idx_sd_v2_created_by", "created_by"),
            Index("idx_sd_v2_tags", "tags", method="gin"),
            Index("idx_sd_v2_search", "search_vector", method="gin"),
            Index("idx_sd_v2_working_on", "is_working_on", where="is_working_on"),
            Index("idx_sd_v2_lower_title", "lower(title)"),
        ),
        policies=policies,
        updated_at_function="update_updated_at_column",
        updated_at_trigger="update_strategic_directives_v2_updated_at",
        comment=(
            "Strategic Directives (SDs): the unit of work of the LEO Protocol.\n"
            "Each SD moves through LEAD -> PLAN -> EXEC with handoffs in sd_phase_handoffs."
        ),
    )
