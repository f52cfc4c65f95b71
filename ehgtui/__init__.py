"""ehgtui: a terminal schema explorer for the EHG_Engineer PostgreSQL database."""

__version__ = "0.1.0"
