"""Connection settings, the asyncpg pool and the read-only transaction helper."""
