"""A demo database per server and module for the query pad's tests, with a pool."""

from tests.demo_pool import demo_db, pool  # noqa: F401 (fixtures)
