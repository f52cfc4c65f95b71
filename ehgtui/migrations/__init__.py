"""Migration status: Supabase's applied history compared with the migration files on disk."""
