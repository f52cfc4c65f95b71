"""A small schema for the migration tests that need many databases: the hazard tests and the
property test. A copy of it costs a few milliseconds (the demo's 900 tables cost half a
second), so each example can have databases of its own.

It holds one of each part the writer handles: tables joined by a foreign key, a view, an
index, a check, a unique key, row-level security with policies, a trigger (and its
function), grants and comments, an enum and a sequence. `SMALL_ROWS` adds a few rows, for
the tests that check data is kept or lost.
"""

from __future__ import annotations

import itertools

import asyncpg

from ehgtui.catalog.loader import load_catalog
from ehgtui.catalog.model import Catalog
from ehgtui.db.pool import create_pool
from ehgtui.db.settings import ConnectionTarget
from ehgtui.demo.schema_supabase import ROLES_SQL
from tests.pg import TestServer

SMALL_SCHEMA = (
    ROLES_SQL
    + """
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at = now(); RETURN NEW; END $$;

CREATE TABLE public.owners (
    id bigint PRIMARY KEY,
    name text NOT NULL,
    email varchar(100) UNIQUE,
    score integer DEFAULT 0,
    bio text,
    updated_at timestamptz DEFAULT now()
);
CREATE TABLE public.items (
    id bigint PRIMARY KEY,
    owner_id bigint REFERENCES public.owners (id) ON DELETE CASCADE,
    title text NOT NULL,
    price numeric(10,2),
    qty integer NOT NULL DEFAULT 1,
    code varchar(20),
    note text,
    updated_at timestamptz
);
CREATE TABLE public.tags (id integer PRIMARY KEY, label text);
CREATE TABLE public.audit_log (at timestamptz NOT NULL DEFAULT now(), line text);
COMMENT ON TABLE public.items IS 'Things owners have.';
CREATE INDEX items_title ON public.items (title);
ALTER TABLE public.items ADD CONSTRAINT items_qty_positive CHECK (qty > 0);
ALTER TABLE public.items ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.items FORCE ROW LEVEL SECURITY;
CREATE POLICY items_read ON public.items FOR SELECT TO authenticated USING (true);
CREATE POLICY items_write ON public.items FOR INSERT TO authenticated WITH CHECK (qty < 1000);
CREATE POLICY items_only_mine ON public.items AS RESTRICTIVE FOR UPDATE TO authenticated
    USING (owner_id > 0);
CREATE TRIGGER items_touch BEFORE UPDATE ON public.items
    FOR EACH ROW EXECUTE FUNCTION public.touch();
GRANT SELECT ON public.items TO authenticated;
CREATE VIEW public.v_items AS SELECT id, title FROM public.items;
CREATE TYPE public.status AS ENUM ('new', 'open', 'done');
CREATE SEQUENCE public.counter_seq;
"""
)
"""The schema every small copy starts from."""

SMALL_ROWS = """
INSERT INTO public.owners (id, name, email, score, bio) VALUES
    (1, 'Ada', 'ada.lovelace@example.com', 10, 'first programmer'),
    (2, 'Grace', 'grace.hopper@example.com', 20, 'compilers');
INSERT INTO public.items (id, owner_id, title, price, qty, code, note) VALUES
    (1, 1, 'engine', 12.50, 2, 'AE-1', 'analytical'),
    (2, 2, 'compiler', 99.99, 1, 'A-0', 'first');
INSERT INTO public.tags VALUES (1, 'old'), (2, 'new');
"""
"""Rows for the tests that check what a migration keeps."""

_names = itertools.count()


def small_template(pg: TestServer, *, rows: bool = False) -> str:
    """The small schema (with its rows when asked) as a template, built once per server."""
    if rows:
        return pg.template("small_rows", SMALL_SCHEMA + SMALL_ROWS)
    return pg.template("small", SMALL_SCHEMA)


def small_copy(pg: TestServer, *, rows: bool = False, sql: str = "") -> str:
    """A fresh copy of the small schema, with `sql` run on it; returns its name."""
    name = f"sm_{next(_names)}"
    pg.psql(
        "postgres",
        f"CREATE DATABASE {name} TEMPLATE {small_template(pg, rows=rows)}",
        single_transaction=False,
    )
    if sql:
        pg.psql(name, sql)
    return name


def drop_databases(pg: TestServer, *names: str) -> None:
    for name in names:
        pg.psql("postgres", f"DROP DATABASE IF EXISTS {name}", single_transaction=False)


async def load_small(pg: TestServer, database: str) -> Catalog:
    """The catalog of `public` in one database of `pg`."""
    pool: asyncpg.Pool = await create_pool(ConnectionTarget(pg.dsn(database), "test"))
    try:
        return await load_catalog(pool, ("public",))
    finally:
        await pool.close()
