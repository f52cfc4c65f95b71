"""SQL text the user typed: parsed with PostgreSQL's own parser, checked against the server's
catalog for volatile calls, and handed on as the deparsed form that was checked."""
