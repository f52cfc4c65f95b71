"""Built-in schema checks: pure functions from the catalog to `Finding` records.

`rls.check_rls` lints row-level security the way Supabase's advisor (splinter) does;
`conventions.check_conventions` checks the database README's required elements per table.
"""
