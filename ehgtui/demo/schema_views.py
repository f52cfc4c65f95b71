"""Functions, views, materialized views and extra triggers of the demo schema.

They come after the tables (SQL-language function bodies are checked at creation). About
forty views: twenty written over the key tables, the rest simple views over generated
tables (which only rely on the conventional id/created_at/updated_at columns).
"""

from __future__ import annotations

import random

from ehgtui.demo.schema_defects import DEFECT_TABLES
from ehgtui.demo.schema_model import TableSpec, ident

FUNCTIONS_SQL = """\
CREATE FUNCTION public.is_admin() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public'
    AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.user_roles WHERE user_id = auth.uid() AND role = 'admin'
  )
$$;
COMMENT ON FUNCTION public.is_admin() IS 'True when the calling user has the admin role.';

CREATE FUNCTION public.get_user_org_ids() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'public'
    AS $$
  SELECT org_id FROM public.user_organizations WHERE user_id = auth.uid()
$$;

CREATE FUNCTION public.calculate_sd_progress(p_sd_id uuid) RETURNS integer
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  SELECT CASE sd.current_phase
           WHEN 'LEAD' THEN 20 WHEN 'PLAN' THEN 40 WHEN 'EXEC' THEN 70
           WHEN 'VERIFY' THEN 90 WHEN 'COMPLETE' THEN 100 ELSE 0 END
  FROM public.strategic_directives_v2 sd WHERE sd.id = p_sd_id
$$;

CREATE FUNCTION public.get_active_protocol() RETURNS public.leo_protocols
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  SELECT * FROM public.leo_protocols WHERE is_active ORDER BY created_at DESC LIMIT 1
$$;

CREATE FUNCTION public.sd_descendants(p_sd_id uuid)
    RETURNS TABLE(id uuid, sd_key text, depth integer)
    LANGUAGE sql STABLE
    SET search_path TO ''
    AS $$
  WITH RECURSIVE tree AS (
    SELECT s.id, s.sd_key, 1 AS depth
    FROM public.strategic_directives_v2 s WHERE s.parent_sd_id = p_sd_id
    UNION ALL
    SELECT c.id, c.sd_key, t.depth + 1
    FROM public.strategic_directives_v2 c JOIN tree t ON c.parent_sd_id = t.id
  )
  SELECT * FROM tree
$$;

CREATE TRIGGER trg_sd_increment_version BEFORE UPDATE ON public.strategic_directives_v2
    FOR EACH ROW EXECUTE FUNCTION public.increment_version();
CREATE TRIGGER trg_sd_status_notify AFTER UPDATE OF status ON public.strategic_directives_v2
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION public.notify_sd_status_change();"""

KEY_VIEWS_SQL = """\
CREATE VIEW public.v_sd_progress AS
 SELECT sd.id, sd.sd_key, sd.title, sd.status, sd.priority, sd.current_phase,
    sd.progress_percentage,
    (SELECT count(*) FROM public.sd_phase_handoffs h WHERE h.sd_id = sd.id) AS handoff_count
   FROM public.strategic_directives_v2 sd
  WHERE NOT sd.is_deleted;
COMMENT ON VIEW public.v_sd_progress IS 'Progress of every live SD, with its handoff count.';

CREATE VIEW public.v_active_sds AS
 SELECT sd.id, sd.sd_key, sd.title, sd.priority, sd.current_phase, sd.owner_agent
   FROM public.strategic_directives_v2 sd
  WHERE sd.status = ANY (ARRAY['active'::public.sd_status, 'in_progress'::public.sd_status]);

CREATE VIEW public.v_sd_hierarchy AS
 WITH RECURSIVE tree AS (
         SELECT s.id, s.sd_key, s.parent_sd_id, 0 AS depth, ARRAY[s.sd_key] AS path
           FROM public.strategic_directives_v2 s
          WHERE s.parent_sd_id IS NULL
        UNION ALL
         SELECT c.id, c.sd_key, c.parent_sd_id, t.depth + 1, t.path || c.sd_key
           FROM public.strategic_directives_v2 c
             JOIN tree t ON c.parent_sd_id = t.id
        )
 SELECT id, sd_key, parent_sd_id, depth, path FROM tree;

CREATE VIEW public.v_sd_handoff_summary AS
 SELECT h.sd_id, h.handoff_type, count(*) AS attempts,
    count(*) FILTER (WHERE h.status = 'accepted'::public.handoff_status) AS accepted,
    max(h.created_at) AS last_attempt_at
   FROM public.sd_phase_handoffs h
  GROUP BY h.sd_id, h.handoff_type;

CREATE VIEW public.v_prd_status WITH (security_invoker = true) AS
 SELECT p.id, p.title, p.status, p.progress, sd.sd_key, sd.status AS sd_status
   FROM public.product_requirements_v2 p
     LEFT JOIN public.strategic_directives_v2 sd ON sd.id = p.sd_id;

CREATE VIEW public.v_venture_portfolio AS
 SELECT v.id, v.name, v.status, v.current_stage, v.current_stage_number, v.health_score,
    count(s.id) AS stages_recorded,
    count(s.id) FILTER (WHERE s.gate_passed) AS gates_passed
   FROM public.ventures v
     LEFT JOIN public.venture_stages s ON s.venture_id = v.id
  GROUP BY v.id;

CREATE VIEW public.v_venture_stage_progress AS
 SELECT s.venture_id, s.stage_number, s.stage_kind, s.status, s.score,
    s.completed_at - s.started_at AS duration
   FROM public.venture_stages s;

CREATE VIEW public.v_venture_artifact_counts AS
 SELECT a.venture_id, a.artifact_type, count(*) AS artifacts
   FROM public.venture_artifacts a
  WHERE a.is_current
  GROUP BY a.venture_id, a.artifact_type;

CREATE VIEW public.v_leo_active_protocol AS
 SELECT p.id, p.version, p.title, p.created_at
   FROM public.leo_protocols p
  WHERE p.is_active;

CREATE VIEW public.v_leo_protocol_sections_ordered AS
 SELECT s.protocol_id, s.order_index, s.section_type, s.title, s.context_tier
   FROM public.leo_protocol_sections s
  ORDER BY s.protocol_id, s.order_index;

CREATE VIEW public.v_leo_sub_agents_active AS
 SELECT a.code, a.name, a.priority, a.activation_type, a.trigger_keywords
   FROM public.leo_sub_agents a
  WHERE a.active;

CREATE VIEW public.v_agent_contracts_pending AS
 SELECT c.id, c.target_agent, c.objective, c.status, c.created_at
   FROM public.agent_task_contracts c
  WHERE c.status = ANY (ARRAY['queued'::public.agent_status, 'claimed'::public.agent_status]);

CREATE VIEW public.v_retrospective_scores AS
 SELECT r.sd_id, avg(r.quality_score) AS avg_quality, count(*) AS retrospectives
   FROM public.retrospectives r
  GROUP BY r.sd_id;

CREATE VIEW public.v_quality_assessment_summary AS
 SELECT a.content_type, count(*) AS assessments, avg(a.weighted_score) AS avg_score,
    sum(a.cost_usd) AS total_cost_usd
   FROM public.ai_quality_assessments a
  GROUP BY a.content_type;

CREATE VIEW public.v_compliance_active_policies AS
 SELECT p.policy_id, p.name, p.severity, p.rule_type
   FROM public.compliance_policies p
  WHERE p.is_active;

CREATE VIEW public.v_circuit_breaker_open AS
 SELECT b.id, b.sd_id, b.handoff_type, b.blocked_reason, b.validation_score, b.threshold
   FROM public.circuit_breaker_blocks b
  WHERE NOT b.resolved;

CREATE VIEW public.v_failure_pattern_top AS
 SELECT f.pattern_id, f.category, f.severity, f.occurrence_count
   FROM public.failure_patterns f
  ORDER BY f.occurrence_count DESC
 LIMIT 20;

CREATE VIEW public.sd_dashboard AS
 SELECT sd.status, sd.priority, count(*) AS directives, avg(sd.progress_percentage) AS avg_progress
   FROM public.strategic_directives_v2 sd
  GROUP BY sd.status, sd.priority;

CREATE VIEW public.user_org_memberships WITH (security_invoker = true) AS
 SELECT uo.user_id, o.id AS org_id, o.name AS org_name, uo.member_role
   FROM public.user_organizations uo
     JOIN public.organizations o ON o.id = uo.org_id;

CREATE VIEW public.v_admin_users AS
 SELECT u.id, u.email, r.created_at AS admin_since
   FROM auth.users u
     JOIN public.user_roles r ON r.user_id = u.id
  WHERE r.role = 'admin'::text;"""

MATVIEWS_SQL = """\
CREATE MATERIALIZED VIEW public.mv_sd_status_counts AS
 SELECT sd.status, sd.current_phase, count(*) AS directives
   FROM public.strategic_directives_v2 sd
  GROUP BY sd.status, sd.current_phase
  WITH DATA;
CREATE UNIQUE INDEX mv_sd_status_counts_key ON public.mv_sd_status_counts
    USING btree (status, current_phase);

CREATE MATERIALIZED VIEW public.mv_venture_portfolio_summary AS
 SELECT v.status, v.current_stage, count(*) AS ventures, sum(v.valuation) AS total_valuation
   FROM public.ventures v
  GROUP BY v.status, v.current_stage
  WITH DATA;
COMMENT ON MATERIALIZED VIEW public.mv_venture_portfolio_summary
    IS 'Portfolio totals; refreshed nightly.';"""

GENERATED_VIEW_COUNT = 20


def generated_views_sql(generated: list[TableSpec]) -> str:
    """Simple views over some generated (conventional) tables."""
    rng = random.Random("ehg-demo-views")
    candidates = sorted(
        t.name for t in generated if t.name not in DEFECT_TABLES and t.column("status")
    )
    out = []
    for index, table in enumerate(rng.sample(candidates, GENERATED_VIEW_COUNT)):
        if index % 2 == 0:
            name = ident(f"v_{table}_recent")
            body = (
                f" SELECT t.id, t.status, t.created_at, t.updated_at\n"
                f"   FROM public.{table} t\n"
                f"  WHERE t.created_at > (now() - '30 days'::interval);"
            )
        else:
            name = ident(f"{table}_daily_counts")
            body = (
                f" SELECT date_trunc('day'::text, t.created_at) AS day, t.status, count(*) AS n\n"
                f"   FROM public.{table} t\n"
                f"  GROUP BY (date_trunc('day'::text, t.created_at)), t.status;"
            )
        out.append(f"CREATE VIEW public.{name} AS\n{body}")
    return "\n\n".join(out)
