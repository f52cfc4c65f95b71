"""The configuration as the CLI reads it: once per process."""

from __future__ import annotations

from functools import cache

from ehgtui.catalog.domain_settings import DomainSettings
from ehgtui.config import Config, load_config


@cache
def config() -> Config:
    return load_config()


def domain_settings() -> DomainSettings:
    return config().domains
