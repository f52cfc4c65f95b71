"""The names of the demo's generated tables, with the live database's prefix mix.

Main prefixes get exactly the live counts (key tables included); the rest of `public` is
spread over ~240 rarer prefixes and a few one-word tables. Every name is a valid unquoted
lowercase identifier and the list is the same on every call.
"""

from __future__ import annotations

import random

TOTAL_PUBLIC_TABLES = 870
"""How many tables these names and the key tables make in schema public (version 4 of the
demo); `schema_other_names` adds the rest of the live 966."""

MAIN_PREFIX_COUNTS: dict[str, int] = {
    "venture": 75, "eva": 67, "leo": 64, "sd": 48, "agent": 19, "chairman": 19, "uat": 18,
    "security": 14, "compliance": 9, "ops": 9, "stage": 9, "crm": 8, "ehg": 8, "marketing": 8,
    "gate": 7, "plan": 7, "sms": 7, "user": 7,
}  # fmt: skip
"""Tables per main prefix (a table `venture_x` has prefix `venture`), as measured live."""

# Curated suffixes per main prefix, most important first; the deliberately defective tables
# of schema_defects.py are among them.
_MAIN_NOUNS: dict[str, str] = {
    "venture": """draft_notes exit_plans financials milestones team_members competitors
        market_analysis risks kpis documents pitch_decks investors funding_rounds cap_tables
        valuations assumptions experiments customer_segments personas pricing_models
        revenue_projections burn_rates runway_forecasts health_checks stage_gates
        stage_transitions decisions blockers dependencies okrs roadmaps backlog_items features
        releases tech_stack integrations partnerships legal_entities contracts ip_assets
        brand_assets domains social_accounts marketing_channels campaigns leads customers
        feedback interviews surveys nps_scores churn_events support_tickets incidents audit_log
        notes tags scorecards benchmarks portfolio_links synergies resource_allocations
        budget_lines expenses invoices hiring_plans advisors board_meetings chairman_reviews
        eva_insights ai_recommendations research_reports opportunity_scores kill_criteria
        pivots""",
    "eva": """sessions event_stream audio_transcripts conversations messages insights
        recommendations actions decisions memory context_snapshots prompts prompt_versions
        tool_calls voice_sessions voice_commands alerts notifications briefings daily_digests
        weekly_reports kpi_snapshots anomalies forecasts scenarios simulations scores
        score_history feedback ratings preferences settings capabilities integrations
        connectors data_sources sync_jobs sync_logs embeddings documents document_chunks
        knowledge_base faq intents entities sentiment_scores summaries orchestration_runs
        orchestration_steps task_queue task_results errors retries rate_limits usage_metrics
        cost_tracking model_configs guardrails policy_checks escalations handoffs approvals
        audit_trail experiments ab_tests health_checks venture_reviews portfolio_scans
        signal_detections trend_reports research_queries""",
    "leo": """handoff_templates protocol_backup gate_reviews handoff_executions
        handoff_rejections validation_rules validation_results sub_agent_executions
        sub_agent_triggers sub_agent_handoffs agents agent_capabilities phases phase_gates
        workflow_phases checklists checklist_items scoring_rubrics scoring_results kb_articles
        feedback metrics audit_log session_logs context_budgets token_usage compliance_checks
        nudges reminders priorities queue execution_logs verification_results test_runs
        test_results code_reviews pr_links commits branches deployments releases changelogs
        documentation_links schema_changes migration_runs error_patterns retros improvements
        proposals proposal_votes settings feature_flags mode_switches claude_sessions
        instructions instruction_versions prompts templates rubric_weights gate_thresholds
        exec_plans plan_reviews lead_reviews""",
    "sd": """dependencies scope_changes execution_timeline blockers checkpoints
        progress_snapshots phase_tracking status_history priority_history comments attachments
        links tags assignments estimates effort_logs reviews approvals risks issues decisions
        test_plans test_results verification_runs evidence artifacts retrospective_links metrics
        kpis okr_links stakeholders notifications subscriptions watchers sessions claims locks
        queue sequence recommendations ai_summaries governance_events gate_results exec_logs
        plan_documents lead_notes child_links orchestration_state""",
    "agent": """registry messages heartbeats capabilities sessions memory tool_calls events
        performance_metrics errors queue configs prompts handoffs feedback cost_ledger
        coordination_locks""",
    "chairman": """decisions briefings notes dashboard_configs approvals escalations
        portfolio_views directives feedback meetings agenda_items action_items kpi_targets
        alerts preferences reports reviews overrides audit_log""",
    "uat": """test_suites test_runs feedback_items test_cases test_steps results defects
        sessions testers assignments evidence screenshots sign_offs environments schedules
        metrics comments reports""",
    "security": """scans scan_queue findings vulnerabilities audit_events access_reviews
        api_keys secrets_rotation incidents policies exceptions alerts baselines
        compliance_checks""",
    "compliance": "frameworks evidence checks violations reports exceptions audits controls",
    "ops": """incidents incident_notes runbooks on_call_schedules alerts deployments
        health_checks maintenance_windows postmortems""",
    "stage": """definitions transitions gates criteria templates artifacts_required reviews
        scores history""",
    "crm": "companies contacts deals pipelines activities notes tasks lead_sources",
    "ehg": """applications settings feature_flags environments api_tokens audit_log
        announcements integrations""",
    "marketing": """campaigns campaign_drafts channels content_calendar assets leads metrics
        experiments""",
    "gate": "definitions review_comments reviews results thresholds overrides criteria",
    "plan": "documents reviews checklists versions approvals estimates risks",
    "sms": "messages message_log templates recipients campaigns opt_outs delivery_reports",
    "user": "profiles preferences sessions notifications api_keys",
}  # fmt: skip

ONE_WORD_TABLES = tuple(
    """feedback companies profiles notifications settings documents projects comments
    attachments tags invitations announcements bookmarks glossary changelog holidays countries
    currencies timezones templates workflows webhooks subscriptions""".split()
)
"""Generated tables whose name has no prefix (key tables `ventures`, `retrospectives`,
`organizations` are one-word too)."""

# Rarer prefixes; the ones listed in _RARE_NOUNS get those suffixes first.
RARE_PREFIXES = tuple(
    """strategic product ai circuit failure temp audit github retro pattern prd issue workflow
    board portfolio okr kpi notification system app api feature model llm prompt content doc
    test qa story handoff session context memory knowledge embedding search cache job task
    queue schedule cron webhook integration slack email calendar meeting decision risk budget
    finance invoice payment subscription billing pricing revenue cost expense forecast market
    competitor customer lead deal pipeline campaign brand social seo growth experiment ab
    analytics metric dashboard report insight signal trend research interview survey persona
    journey design component screen route deployment release build ci git branch commit pr
    code repo dependency package license vulnerability threat incident alert monitor health
    uptime log trace span error exception bug defect quality review approval governance
    policy rule requirement spec architecture adr tech stack infra cloud server database
    schema migration backup archive import export sync etl data dataset source document file
    asset media image video audio voice transcript chat conversation thread comment mention
    tag label category taxonomy ontology entity relationship graph node edge org team member
    permission access auth token credential profile account tenant workspace project
    initiative objective goal milestone roadmap sprint epic backlog estimate capacity
    resource allocation hiring candidate talent partner vendor supplier contract legal
    patent trademark domain hosting cdn dns ssl newsletter blog faq help
    support ticket sla escalation nps churn retention cohort funnel conversion
    attribution ad keyword landing podcast webinar event venue sponsor donation
    grant equity cap investor""".split()
)

_RARE_NOUNS: dict[str, str] = {
    "strategic": "themes objectives",
    "product": "roadmap_items requirement_links feature_requests",
    "ai": "model_usage prompt_cache evaluation_runs",
    "circuit": "breaker_config",
    "failure": "pattern_occurrences",
    "temp": "import_rows",
    "audit": "log_raw log trail_events",
    "github": "webhook_deliveries repositories pull_requests check_runs",
    "retro": "action_items templates votes",
    "pattern": "library matches",
    "prd": "sections reviews versions",
    "issue": "patterns resolutions",
    "workflow": "definitions executions steps",
    "notification": "preferences deliveries",
    "test": "coverage flaky_tests",
    "story": "points acceptance",
    "handoff": "templates validations",
    "incident": "timeline responders",
    "deployment": "targets approvals",
    "release": "notes trains",
}

_GENERIC_NOUNS = tuple(
    """events logs settings history items metrics runs results rules snapshots queue
    templates reviews links mappings configs records entries reports checks jobs sessions
    notes scores summaries versions requests responses tasks alerts assignments definitions
    feedback audits stats batches owners schedules""".split()
)


def main_prefix_tables(reserved: set[str]) -> dict[str, list[str]]:
    """Generated tables of each main prefix, leaving room for the `reserved` (key) tables."""
    out: dict[str, list[str]] = {}
    for prefix, count in MAIN_PREFIX_COUNTS.items():
        taken = sum(1 for r in reserved if r.startswith(prefix + "_"))
        nouns = _MAIN_NOUNS[prefix].split()
        names = [f"{prefix}_{n}" for n in nouns if f"{prefix}_{n}" not in reserved]
        needed = count - taken
        if len(names) < needed:
            raise ValueError(f"not enough names for prefix {prefix}")
        out[prefix] = names[:needed]
    return out


def rare_prefix_tables(reserved: set[str], total: int) -> dict[str, list[str]]:
    """Generated tables of the rarer prefixes: `total` names, reserved ones excluded."""
    rng = random.Random("ehg-demo-rare-prefixes")
    counts: dict[str, int] = {}
    for prefix in RARE_PREFIXES:
        counts[prefix] = rng.choices((1, 2, 3, 4, 5), weights=(58, 20, 11, 7, 4))[0]
        curated = len(_RARE_NOUNS.get(prefix, "").split())
        counts[prefix] = max(counts[prefix], curated)
    minimum = {p: max(1, len(_RARE_NOUNS.get(p, "").split())) for p in RARE_PREFIXES}
    order = sorted(RARE_PREFIXES)
    while sum(counts.values()) > total:
        prefix = rng.choice(order)
        if counts[prefix] > minimum[prefix]:
            counts[prefix] -= 1
    while sum(counts.values()) < total:
        counts[rng.choice(order)] += 1
    out: dict[str, list[str]] = {}
    for prefix in RARE_PREFIXES:
        nouns = _RARE_NOUNS.get(prefix, "").split()
        generic = list(_GENERIC_NOUNS)
        random.Random(f"ehg-demo-nouns:{prefix}").shuffle(generic)
        names: list[str] = []
        for noun in nouns + generic:
            name = f"{prefix}_{noun}"
            if len(names) == counts[prefix]:
                break
            if name not in names:
                names.append(name)
        out[prefix] = [n for n in names if n not in reserved]
    return out


def generated_table_names(reserved: set[str], forbidden: set[str]) -> list[tuple[str, str]]:
    """All generated tables of schema public as (name, group) pairs, group being the prefix
    (or "" for one-word tables). `reserved` are the hand-written tables, counted in their
    prefix; `forbidden` names (the README's missing key tables) are never generated."""
    one_word_reserved = {r for r in reserved if "_" not in r}
    main = main_prefix_tables(reserved)
    n_main = sum(MAIN_PREFIX_COUNTS.values())
    n_one_word = len(ONE_WORD_TABLES) + len(one_word_reserved)
    n_rare_reserved = sum(1 for r in reserved if "_" in r and r.split("_")[0] in RARE_PREFIXES)
    rare = rare_prefix_tables(reserved, TOTAL_PUBLIC_TABLES - n_main - n_one_word - n_rare_reserved)
    pairs: list[tuple[str, str]] = []
    for prefix, names in main.items():
        pairs.extend((n, prefix) for n in names)
    for prefix, names in rare.items():
        pairs.extend((n, prefix) for n in names)
    pairs.extend((n, "") for n in ONE_WORD_TABLES)
    seen: set[str] = set(reserved)
    for name, _group in pairs:
        if name in seen or name in forbidden:
            raise ValueError(f"duplicate or forbidden table name {name}")
        if len(name) > 50 or not name.replace("_", "").isalnum() or name != name.lower():
            raise ValueError(f"bad table name {name}")
        seen.add(name)
    return pairs
