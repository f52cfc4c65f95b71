"""A generated schema of many tables shaped like EHG_Engineer's, for the 10,000-table bench."""

from __future__ import annotations

PREFIXES = ("venture", "eva", "leo", "sd", "agent", "chairman", "uat", "security", "ops", "crm")
"""Table-name prefixes, cycled."""


def big_schema_sql(table_count: int) -> str:
    """SQL creating `table_count` tables, each with a uuid PK, an FK, indexes, RLS, 2 policies
    and an updated_at trigger: the per-table catalog rows of a real Supabase schema."""
    parts = [
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated')"
        " THEN CREATE ROLE authenticated NOLOGIN; END IF;"
        " IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role')"
        " THEN CREATE ROLE service_role NOLOGIN; END IF; END $$;",
        "CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN NEW.updated_at = now(); RETURN NEW; END $$;",
        "CREATE TABLE hub (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text);",
    ]
    for i in range(table_count):
        name = f"{PREFIXES[i % len(PREFIXES)]}_item_{i:05d}"
        parts.append(
            f"CREATE TABLE {name} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(),"
            " hub_id uuid REFERENCES hub(id) ON DELETE CASCADE, title text NOT NULL,"
            " status text DEFAULT 'draft' CHECK (status IN ('draft', 'done')), payload jsonb,"
            " tags text[], created_at timestamptz DEFAULT now(),"
            " updated_at timestamptz DEFAULT now());\n"
            f"COMMENT ON TABLE {name} IS 'generated table {i}';\n"
            f"CREATE INDEX {name}_hub ON {name}(hub_id);\n"
            f"CREATE INDEX {name}_created ON {name}(created_at);\n"
            f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;\n"
            f"CREATE POLICY read ON {name} FOR SELECT TO authenticated USING (true);\n"
            f"CREATE POLICY write ON {name} FOR ALL TO service_role USING (true)"
            " WITH CHECK (true);\n"
            f"CREATE TRIGGER set_updated_at BEFORE UPDATE ON {name}"
            " FOR EACH ROW EXECUTE FUNCTION set_updated_at();"
        )
    return "\n".join(parts) + "\nANALYZE;\n"
