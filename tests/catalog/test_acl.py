"""aclitem text read back in Python, checked against the server's own `aclexplode()`."""

from __future__ import annotations

import asyncpg

from ehgtui.catalog.acl import parse_acl, parse_aclitem
from tests.pg import TestServer

GRANTS_SQL = """
DO $$BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'acl reader') THEN
        CREATE ROLE "acl reader";
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'acl "quoted" writer') THEN
        CREATE ROLE "acl ""quoted"" writer";
    END IF;
END$$;
CREATE TABLE granted (id int, note text);
CREATE SEQUENCE granted_seq;
GRANT SELECT ON granted TO PUBLIC;
GRANT SELECT, INSERT ON granted TO "acl reader" WITH GRANT OPTION;
GRANT UPDATE (note), DELETE, TRUNCATE, REFERENCES, TRIGGER ON granted
    TO "acl ""quoted"" writer";
GRANT USAGE ON SEQUENCE granted_seq TO "acl reader";
"""

EXPLODED = """
SELECT coalesce(grantee.rolname, 'PUBLIC') AS grantee, x.privilege_type,
       x.is_grantable, grantor.rolname AS grantor
  FROM pg_class c, aclexplode(c.relacl) x
  LEFT JOIN pg_roles grantee ON grantee.oid = x.grantee
  JOIN pg_roles grantor ON grantor.oid = x.grantor
 WHERE c.relname = $1
"""


async def test_parsed_acls_match_aclexplode(pg: TestServer) -> None:
    database = pg.create_database("acl", GRANTS_SQL)
    conn = await asyncpg.connect(pg.dsn(database))
    try:
        for relation in ("granted", "granted_seq"):
            items = await conn.fetchval(
                "SELECT relacl::text[] FROM pg_class WHERE relname = $1", relation
            )
            expected = sorted(tuple(row) for row in await conn.fetch(EXPLODED, relation))
            parsed = sorted(
                (acl.grantee, privilege, grantable, acl.grantor)
                for acl in map(parse_aclitem, items)
                if acl is not None
                for privilege, grantable in acl.privileges
            )
            assert parsed == expected
            as_privileges = sorted(
                (p.grantee, p.privilege, p.grantable, p.grantor) for p in parse_acl(items)
            )
            assert as_privileges == expected
        column_acl = await conn.fetchval(
            "SELECT attacl::text[] FROM pg_attribute WHERE attrelid = 'granted'::regclass"
            " AND attname = 'note'"
        )
        (item,) = column_acl
        parsed_column = parse_aclitem(item)
        assert parsed_column is not None
        assert parsed_column.grantee == 'acl "quoted" writer'
        assert parsed_column.privileges == (("UPDATE", False),)
    finally:
        await conn.close()


def test_text_that_is_not_an_aclitem_is_skipped() -> None:
    assert parse_aclitem("no equals sign") is None
    assert parse_acl(["no equals sign", "=r/postgres"])[0].grantee == "PUBLIC"
