"""A hand-written schema with every awkward FK shape the relations code must keep apart.

Self-references, two FKs between the same pair, a mutual reference, cascades, a composite
key, a unique FK, names Mermaid cannot take bare, a second ring, a table with no FKs, and a
30-table fan-in spread over three domains (18 Ventures, 8 Agent System, 4 Compliance; a table
with a key into `ventures` is no longer Other, the foreign-key rule places it, so the third
group is a named domain by its prefix).
"""

from __future__ import annotations

FAN_IN = {"Ventures": 18, "Agent System": 8, "Compliance": 4}
"""Domain -> how many tables of the fan-in onto `ventures` it holds."""


def _fan_in() -> str:
    prefixes = {"Ventures": "venture_x", "Agent System": "agent_x", "Compliance": "compliance_x"}
    return "\n".join(
        f"CREATE TABLE {prefixes[domain]}{i} (id int PRIMARY KEY,"
        f" venture_id int NOT NULL REFERENCES ventures(id));"
        for domain, count in FAN_IN.items()
        for i in range(count)
    )


RELATIONS_SQL = """
CREATE TABLE orgs (id int PRIMARY KEY, name text);
CREATE TABLE users (id int PRIMARY KEY, org_id int REFERENCES orgs(id), favourite_sd_id int);
CREATE TABLE strategic_directives_v2 (
    id int PRIMARY KEY,
    parent_sd_id int REFERENCES strategic_directives_v2(id),
    supersedes_id int REFERENCES strategic_directives_v2(id) ON DELETE SET NULL,
    owner_id int NOT NULL REFERENCES users(id),
    reviewer_id int REFERENCES users(id) ON DELETE SET NULL ON UPDATE CASCADE,
    title text
);
ALTER TABLE users ADD CONSTRAINT users_favourite_sd_fkey
    FOREIGN KEY (favourite_sd_id) REFERENCES strategic_directives_v2(id);
CREATE TABLE sd_phase_handoffs (
    id int PRIMARY KEY,
    sd_id int NOT NULL REFERENCES strategic_directives_v2(id) ON DELETE CASCADE,
    phase text
);
CREATE TABLE handoff_notes (id int PRIMARY KEY, handoff_id int REFERENCES sd_phase_handoffs(id));
CREATE TABLE sd_backlog_map (
    sd_id int UNIQUE REFERENCES strategic_directives_v2(id),
    backlog_key text
);
CREATE TABLE sd_charter (
    sd_id int PRIMARY KEY REFERENCES strategic_directives_v2(id)
);
CREATE TABLE phases (sd_id int, phase_no int, PRIMARY KEY (sd_id, phase_no));
CREATE TABLE phase_steps (
    id int PRIMARY KEY,
    sd_id int NOT NULL,
    phase_no int NOT NULL,
    FOREIGN KEY (sd_id, phase_no) REFERENCES phases(sd_id, phase_no) ON DELETE CASCADE
);
CREATE TABLE "order items" ("item id" int PRIMARY KEY, "pk" int, "end" text,
    sd_id int REFERENCES strategic_directives_v2(id));
CREATE TABLE "end" (id int PRIMARY KEY, "Weird""Col" numeric(10,2),
    item_id int REFERENCES "order items"("item id"));
CREATE TABLE lonely (id int PRIMARY KEY, note text);
CREATE TABLE ventures (id int PRIMARY KEY, name text);
""" + _fan_in()
"""The fixture's SQL."""
