"""Deterministic sample rows for the key tables, so the Rows tab and the RLS matrix have
something to show. Identifiers are `md5(<label>)::uuid` and timestamps are fixed, so every
apply produces the same rows. Generated tables stay empty.
"""

from __future__ import annotations

SEED_SQL = """\
INSERT INTO auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at)
SELECT md5('user-' || i)::uuid, 'authenticated', 'authenticated',
       (ARRAY['chairman', 'lead', 'planner', 'engineer', 'reviewer', 'guest'])[i]
           || '@ehg.example',
       jsonb_build_object('provider', 'email',
                          'role', CASE WHEN i = 1 THEN 'admin' ELSE 'user' END),
       jsonb_build_object('full_name', (ARRAY['Rick Chair', 'Lena Lead', 'Pat Planner',
            'Eli Engineer', 'Rae Reviewer', 'Gus Guest'])[i]),
       timestamptz '2025-01-01 09:00:00+00' + i * interval '1 day'
FROM generate_series(1, 6) AS i;

INSERT INTO public.organizations (id, name, slug, plan, created_at, updated_at)
SELECT md5('org-' || i)::uuid, (ARRAY['EHG Holdings', 'EHG Labs', 'Partner Co'])[i],
       (ARRAY['ehg', 'ehg-labs', 'partner-co'])[i], (ARRAY['enterprise', 'pro', 'free'])[i],
       timestamptz '2025-01-01 00:00:00+00', timestamptz '2025-01-01 00:00:00+00'
FROM generate_series(1, 3) AS i;

INSERT INTO public.user_organizations (id, user_id, org_id, member_role)
SELECT md5('membership-' || u || '-' || o)::uuid, md5('user-' || u)::uuid, md5('org-' || o)::uuid,
       CASE WHEN u = 1 THEN 'owner' ELSE 'member' END
FROM generate_series(1, 5) AS u, generate_series(1, 3) AS o
WHERE o = 1 OR (o = 2 AND u <= 3) OR (o = 3 AND u = 5);

INSERT INTO public.user_roles (id, user_id, role)
SELECT md5('role-' || u)::uuid, md5('user-' || u)::uuid,
       (ARRAY['admin', 'chairman', 'engineer', 'engineer', 'viewer'])[u]
FROM generate_series(1, 5) AS u;

INSERT INTO public.leo_protocols (id, version, title, status, is_active, superseded_by, content,
                                  created_at, updated_at)
VALUES
  ('leo-v4-1-0', '4.1.0', 'LEO Protocol v4.1', 'superseded', false, 'leo-v4-2-0',
   'Superseded.', timestamptz '2025-01-10 00:00:00+00', timestamptz '2025-03-01 00:00:00+00'),
  ('leo-v4-2-0', '4.2.0', 'LEO Protocol v4.2', 'superseded', false, 'leo-v4-3-3',
   'Superseded.', timestamptz '2025-03-01 00:00:00+00', timestamptz '2025-06-01 00:00:00+00'),
  ('leo-v4-3-3', '4.3.3', 'LEO Protocol v4.3.3', 'active', true, NULL,
   'LEAD -> PLAN -> EXEC with sub-agent verification.',
   timestamptz '2025-06-01 00:00:00+00', timestamptz '2025-06-01 00:00:00+00');

INSERT INTO public.leo_protocol_sections (protocol_id, section_type, title, content, order_index,
                                          context_tier, target_file)
SELECT 'leo-v4-3-3', (ARRAY['overview', 'phase', 'gate', 'sub_agent'])[1 + i % 4],
       'Section ' || i, 'Content of section ' || i || E'.\\nSecond line.', i,
       (ARRAY['core', 'lead', 'plan', 'exec'])[1 + i % 4],
       (ARRAY['CLAUDE.md', 'CLAUDE_LEAD.md', 'CLAUDE_PLAN.md', 'CLAUDE_EXEC.md'])[1 + i % 4]
FROM generate_series(1, 24) AS i;

INSERT INTO public.leo_sub_agents (id, code, name, priority, protocol_id, capabilities,
                                   trigger_keywords, activation_type)
SELECT md5('sub-agent-' || code)::uuid, code, initcap(lower(code)) || ' Sub-Agent', 100 - n * 5,
       'leo-v4-3-3', ARRAY[lower(code) || '_review'], ARRAY[lower(code)],
       CASE WHEN n % 3 = 0 THEN 'manual' ELSE 'automatic' END
FROM unnest(ARRAY['DATABASE', 'SECURITY', 'TESTING', 'DESIGN', 'PERFORMANCE', 'DOCMON',
                  'GITHUB', 'RETRO', 'VALIDATION', 'STORIES', 'RISK', 'API'])
     WITH ORDINALITY AS t(code, n);

INSERT INTO public.ventures (id, name, slug, status, current_stage, current_stage_number,
                             industry, valuation, health_score, organization_id, tags,
                             created_at, updated_at)
SELECT md5('venture-' || i)::uuid, 'Venture ' || chr(64 + i), 'venture-' || chr(96 + i),
       (ARRAY['active', 'active', 'active', 'paused', 'killed', 'exited'])[1 + i % 6],
       (enum_range(NULL::public.venture_stage_kind))[1 + i % 8], 1 + (i * 7) % 40,
       (ARRAY['fintech', 'health', 'devtools', 'climate'])[1 + i % 4],
       (i * 250000)::numeric(14,2), (50 + (i * 13) % 50)::numeric(5,2),
       md5('org-' || (1 + i % 3))::uuid, ARRAY['portfolio', 'cohort-' || (1 + i % 3)],
       timestamptz '2025-02-01 00:00:00+00' + i * interval '3 days',
       timestamptz '2025-02-01 00:00:00+00' + i * interval '3 days'
FROM generate_series(1, 12) AS i;

INSERT INTO public.venture_stages (id, venture_id, stage_number, stage_kind, name, status,
                                   gate_passed, score)
SELECT md5('stage-' || v || '-' || s)::uuid, md5('venture-' || v)::uuid, s,
       (enum_range(NULL::public.venture_stage_kind))[1 + (s - 1) / 5], 'Stage ' || s,
       CASE WHEN s < 1 + (v * 7) % 40 THEN 'completed' ELSE 'in_progress' END,
       s < 1 + (v * 7) % 40, (60 + (v * s) % 40)::numeric(5,2)
FROM generate_series(1, 12) AS v, generate_series(1, 40) AS s
WHERE s <= 1 + (v * 7) % 40;

INSERT INTO public.strategic_directives_v2 (
    id, sd_key, title, description, sd_type, status, priority, current_phase, phase_progress,
    progress_percentage, parent_sd_id, venture_id, protocol_version, strategic_objectives,
    success_criteria, tags, blocked_statuses, checkpoint_counts, is_public, created_by,
    organization_id, metadata, sequence_rank, created_at, updated_at)
SELECT md5('sd-' || i)::uuid, 'SD-2025-' || lpad(i::text, 3, '0'),
       'Directive ' || i || ': ' || (ARRAY['Harden RLS', 'Ship EVA voice', 'Refactor gates',
            'Venture stage 12 tooling', 'Docs regeneration'])[1 + i % 5],
       'Description of directive ' || i || E'.\\nIt has \"quotes\" and ''apostrophes''.',
       (ARRAY['feature', 'infrastructure', 'bugfix', 'refactor', 'documentation', 'security',
              'database', 'orchestrator'])[1 + i % 8],
       (enum_range(NULL::public.sd_status))[1 + i % 10],
       (enum_range(NULL::public.sd_priority))[1 + i % 4],
       (ARRAY['LEAD', 'PLAN', 'EXEC', 'VERIFY', 'COMPLETE'])[1 + i % 5], (i * 17) % 101,
       ((i * 17) % 101)::numeric(5,2),
       CASE WHEN i > 10 AND i % 4 = 0 THEN md5('sd-' || (i / 4))::uuid END,
       CASE WHEN i % 3 = 0 THEN md5('venture-' || (1 + i % 12))::uuid END, 'leo-v4-3-3',
       ARRAY['objective ' || i, 'objective ' || (i + 1)], ARRAY['criterion ' || i],
       ARRAY['q' || (1 + i % 4), 'team-' || (1 + i % 3)],
       CASE WHEN i % 5 = 0 THEN ARRAY['archived'::public.sd_status] END,
       ARRAY[i % 7, i % 5, i % 3], i % 4 = 0, md5('user-' || (1 + i % 5))::uuid,
       CASE WHEN i % 2 = 0 THEN md5('org-' || (1 + i % 3))::uuid END,
       jsonb_build_object('source', 'demo', 'wave', 1 + i % 3), i,
       timestamptz '2025-03-01 00:00:00+00' + i * interval '1 day',
       timestamptz '2025-03-01 00:00:00+00' + i * interval '1 day'
FROM generate_series(1, 60) AS i;

INSERT INTO public.sd_phase_handoffs (id, sd_id, from_phase, to_phase, handoff_type, status,
                                      executive_summary, validation_score, validation_passed,
                                      created_by, created_at, updated_at)
SELECT md5('handoff-' || i || '-' || k)::uuid, md5('sd-' || i)::uuid,
       (ARRAY['LEAD', 'PLAN', 'EXEC'])[k], (ARRAY['PLAN', 'EXEC', 'PLAN'])[k],
       (ARRAY['LEAD-TO-PLAN', 'PLAN-TO-EXEC', 'EXEC-TO-PLAN'])[k],
       (enum_range(NULL::public.handoff_status))[1 + (i + k) % 3],
       'Handoff ' || k || ' of SD ' || i, (70 + (i * k) % 30)::numeric(5,2), (i + k) % 3 <> 2,
       (ARRAY['LEAD', 'PLAN', 'EXEC'])[k] || '-agent',
       timestamptz '2025-03-02 00:00:00+00' + i * interval '1 day' + k * interval '2 hours',
       timestamptz '2025-03-02 00:00:00+00' + i * interval '1 day' + k * interval '2 hours'
FROM generate_series(1, 60) AS i, generate_series(1, 3) AS k
WHERE k <= 1 + i % 3;

INSERT INTO public.sd_backlog_map (id, sd_id, backlog_id, backlog_title, priority, stage_number)
SELECT md5('backlog-' || i || '-' || k)::uuid, md5('sd-' || i)::uuid, 'BL-' || i || '-' || k,
       'Backlog item ' || k || ' of SD ' || i, (ARRAY['High', 'Medium', 'Low'])[1 + k % 3], k
FROM generate_series(1, 60) AS i, generate_series(1, 2) AS k;

INSERT INTO public.product_requirements_v2 (id, sd_id, title, status, priority, progress,
                                            functional_requirements, created_by)
SELECT md5('prd-' || i)::uuid, md5('sd-' || i)::uuid, 'PRD for SD ' || i,
       (ARRAY['draft', 'in_review', 'approved', 'in_progress', 'completed'])[1 + i % 5],
       (enum_range(NULL::public.sd_priority))[1 + i % 4], (i * 11) % 101,
       jsonb_build_array(jsonb_build_object('id', 'FR-1', 'text', 'Requirement of SD ' || i)),
       md5('user-' || (1 + i % 5))::uuid
FROM generate_series(1, 40) AS i;

INSERT INTO public.agent_artifacts (id, sd_id, session_id, artifact_type, title, content,
                                    token_count, confidence, source_agent, created_at, updated_at)
SELECT md5('artifact-' || i)::uuid, md5('sd-' || (1 + i % 60))::uuid, 'session-' || (i / 25),
       (ARRAY['analysis', 'test_report', 'schema_review', 'security_scan'])[1 + i % 4],
       'Artifact ' || i, repeat('Finding ' || i || '. ', 1 + i % 20), 40 + (i * 37) % 4000,
       ((i % 1000) / 1000.0)::numeric(4,3),
       (ARRAY['DATABASE', 'SECURITY', 'TESTING', 'DESIGN'])[1 + i % 4],
       timestamptz '2025-04-01 00:00:00+00' + i * interval '5 minutes',
       timestamptz '2025-04-01 00:00:00+00' + i * interval '5 minutes'
FROM generate_series(1, 2000) AS i;

INSERT INTO public.agent_task_contracts (id, sd_id, parent_agent, target_agent, objective,
                                         status, result_artifact_id)
SELECT md5('contract-' || i)::uuid, md5('sd-' || (1 + i % 60))::uuid, 'EXEC',
       (ARRAY['DATABASE', 'SECURITY', 'TESTING', 'DESIGN'])[1 + i % 4], 'Objective ' || i,
       (enum_range(NULL::public.agent_status))[1 + i % 6],
       CASE WHEN i % 6 = 3 THEN md5('artifact-' || i)::uuid END
FROM generate_series(1, 200) AS i;

INSERT INTO public.retrospectives (id, sd_id, title, quality_score, what_went_well,
                                   what_needs_improvement, created_by)
SELECT md5('retro-' || i)::uuid, md5('sd-' || (i * 3))::uuid, 'Retrospective of SD ' || (i * 3),
       60 + (i * 7) % 40, ARRAY['tests first', 'small PRs'], ARRAY['handoff latency'],
       md5('user-' || (1 + i % 5))::uuid
FROM generate_series(1, 20) AS i;

INSERT INTO public.ai_quality_assessments (id, content_type, content_id, sd_id, scores,
                                           weighted_score, passed, model, cost_usd)
SELECT md5('assessment-' || i)::uuid, (ARRAY['sd', 'prd', 'handoff'])[1 + i % 3], 'C-' || i,
       md5('sd-' || (1 + i % 60))::uuid, jsonb_build_object('clarity', i % 10, 'scope', i % 7),
       (50 + i % 50)::numeric(5,2), i % 50 >= 20, 'demo-model', (i * 0.0013)::numeric(10,6)
FROM generate_series(1, 150) AS i;

INSERT INTO public.compliance_policies (id, policy_id, name, category, rule_type, severity)
SELECT md5('policy-' || i)::uuid, 'CP-' || lpad(i::text, 3, '0'), 'Policy ' || i,
       (ARRAY['security', 'process', 'quality'])[1 + i % 3],
       (ARRAY['required', 'forbidden', 'threshold'])[1 + i % 3],
       (enum_range(NULL::public.severity_level))[1 + i % 5]
FROM generate_series(1, 10) AS i;

INSERT INTO public.circuit_breaker_blocks (id, sd_id, handoff_type, blocked_reason,
                                           validation_score, resolved)
SELECT md5('block-' || i)::uuid, md5('sd-' || (i * 5))::uuid, 'PLAN-TO-EXEC',
       'Validation score below threshold', (60 + i)::numeric(5,2), i % 2 = 0
FROM generate_series(1, 12) AS i;

INSERT INTO public.failure_patterns (id, pattern_id, category, severity, description,
                                     occurrence_count, prevention_steps)
SELECT md5('pattern-' || i)::uuid, 'PAT-' || lpad(i::text, 3, '0'),
       (ARRAY['database', 'testing', 'deployment', 'security', 'process'])[1 + i % 5],
       (enum_range(NULL::public.severity_level))[1 + i % 5], 'Failure pattern ' || i,
       1 + (i * 13) % 40, ARRAY['check ' || i]
FROM generate_series(1, 15) AS i;

INSERT INTO storage.buckets (id, name, public)
VALUES ('venture-artifacts', 'venture-artifacts', false), ('public-assets', 'public-assets', true);

INSERT INTO storage.objects (id, bucket_id, name, owner, metadata)
SELECT md5('object-' || i)::uuid, 'venture-artifacts', 'ventures/' || i || '/pitch.pdf',
       md5('user-' || (1 + i % 5))::uuid, jsonb_build_object('size', i * 1024)
FROM generate_series(1, 5) AS i;"""
