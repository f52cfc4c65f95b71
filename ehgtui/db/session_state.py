"""What a read-only transaction can leave in its session after the ROLLBACK, and the SQL that
clears it before the connection goes back to the pool.

Most session state is transactional, and a ROLLBACK undoes it (each case has a test in
tests/rows/test_session_state.py): settings made with `set_config(…, false)` or `SET SESSION`,
`SET ROLE`, LISTEN (it takes effect only at commit), cursors WITH HOLD and temporary objects
made in the transaction (a read-only transaction cannot create temporary tables anyway).

A few things are not, and a function called from a read-only query can make each of them:

- session-level advisory locks (`pg_advisory_lock`);
- prepared statements made with SQL `PREPARE` (a PL/pgSQL function's `EXECUTE 'PREPARE …'`);
- dblink connections (`dblink_connect`, named or not), which stay open to wherever they lead;
- postgres_fdw's cached connections to foreign servers;
- temporary replication slots (`pg_create_physical_replication_slot(…, temporary => true)`),
  which hold back WAL for as long as the session lives;
- a replication origin set up for the session (`pg_replication_origin_session_setup`).

A function declared STABLE or IMMUTABLE (which the volatility guard lets through) cannot run
PREPARE, LISTEN or any other utility statement, but its SELECTs may call any function, so a
mislabelled one can still take a lock or open a dblink connection. So the session is cleared
whatever the guard allowed, inside the transaction and in the same message as its ROLLBACK:
through PgBouncer in transaction mode a statement sent after the ROLLBACK may reach another
server connection. Rolling back to a savepoint set right after BEGIN first ends an aborted
state, a `SET LOCAL ROLE` and a changed search_path, so that the clearing runs as the login
role with the session's own settings. Each step runs only where the role may run it, and a
dblink connection the role could open but cannot list raises an error: the caller then cuts
the connection, which ends everything its backend held (PgBouncer closes a server connection
whose client left in the middle of a transaction).
"""

from __future__ import annotations

SESSION_SAVEPOINT = "ehgtui_session_start"
"""Set right after BEGIN, so that the session can be cleared even when the query failed and
left the transaction aborted."""

BEGIN_CLEARABLE_SQL = (
    f"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SAVEPOINT {SESSION_SAVEPOINT}"
)

_CLEAR_BLOCK = """$ehgtui_clear$
DECLARE
    item text;
    dblink_schema text;
    fdw_schema text;
BEGIN
    FOR item IN SELECT name FROM pg_catalog.pg_prepared_statements WHERE from_sql LOOP
        EXECUTE pg_catalog.format('DEALLOCATE %I', item);
    END LOOP;
    SELECT n.nspname INTO dblink_schema
      FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'dblink';
    IF dblink_schema IS NULL THEN
        NULL;
    ELSIF pg_catalog.has_function_privilege(
            pg_catalog.format('%I.dblink_get_connections()', dblink_schema), 'EXECUTE') THEN
        FOR item IN EXECUTE pg_catalog.format(
                'SELECT pg_catalog.unnest(%I.dblink_get_connections())', dblink_schema) LOOP
            EXECUTE pg_catalog.format('SELECT %I.dblink_disconnect($1)', dblink_schema)
              USING item;
        END LOOP;
        BEGIN
            EXECUTE pg_catalog.format('SELECT %I.dblink_disconnect()', dblink_schema);
        EXCEPTION WHEN connection_does_not_exist THEN
            NULL;  -- no unnamed connection is open
        END;
    ELSIF pg_catalog.has_function_privilege(
            pg_catalog.format('%I.dblink_connect(text)', dblink_schema), 'EXECUTE')
       OR pg_catalog.has_function_privilege(
            pg_catalog.format('%I.dblink_connect(text, text)', dblink_schema), 'EXECUTE') THEN
        RAISE EXCEPTION 'dblink connections may be open and cannot be listed';
    END IF;
    SELECT n.nspname INTO fdw_schema
      FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'postgres_fdw';
    IF fdw_schema IS NOT NULL
       AND pg_catalog.to_regprocedure(
            pg_catalog.format('%I.postgres_fdw_disconnect_all()', fdw_schema)) IS NOT NULL
       AND pg_catalog.has_function_privilege(
            pg_catalog.format('%I.postgres_fdw_disconnect_all()', fdw_schema), 'EXECUTE') THEN
        EXECUTE pg_catalog.format('SELECT %I.postgres_fdw_disconnect_all()', fdw_schema);
    END IF;
    PERFORM pg_catalog.pg_drop_replication_slot(s.slot_name)
       FROM pg_catalog.pg_replication_slots s
      WHERE s.temporary AND s.active_pid = pg_catalog.pg_backend_pid();
    IF pg_catalog.has_function_privilege(
            'pg_catalog.pg_replication_origin_session_is_setup()', 'EXECUTE')
       AND pg_catalog.pg_replication_origin_session_is_setup() THEN
        PERFORM pg_catalog.pg_replication_origin_session_reset();
    END IF;
END
$ehgtui_clear$"""
"""The non-transactional state other than advisory locks, cleared (PL/pgSQL, so that each step
runs only where it applies)."""

CLEAR_SESSION_SQL = (
    f"ROLLBACK TO SAVEPOINT {SESSION_SAVEPOINT}; "
    "SELECT pg_catalog.pg_advisory_unlock_all() WHERE pg_catalog.has_function_privilege("
    "'pg_catalog.pg_advisory_unlock_all()', 'EXECUTE'); "
    f"DO {_CLEAR_BLOCK}; "
    "ROLLBACK"
)
"""Sent as one message in place of the ROLLBACK of a transaction begun with
BEGIN_CLEARABLE_SQL: the session is left as it was before it, or the message fails."""
