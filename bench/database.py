"""The benchmark's own PostgreSQL database, dropped and recreated at every run.

Only databases whose name starts with `pvd_bench` are touched: a DATABASE_URL left in the shell for
development must never be dropped by `make bench`.
"""

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pvd_bench"
NAME_PREFIX = "pvd_bench"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


@dataclass(frozen=True)
class BenchDatabase:
    url: str
    name: str
    server_version: str


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL


def recreate(url: str) -> BenchDatabase:
    """Drop and create the database named in `url`, through the server's `postgres` database."""
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        raise SystemExit(f"DATABASE_URL doit désigner PostgreSQL (reçu : {parts.scheme}://…).")
    name = unquote(parts.path.lstrip("/"))
    if not name.startswith(NAME_PREFIX):
        raise SystemExit(
            f"Refusé : le bench supprime et recrée sa base ; son nom doit commencer par « {NAME_PREFIX} » "
            f"(reçu : « {name} »)."
        )
    # libpq does not know django-environ's options (conn_max_age…): connect without the query string.
    maintenance_url = parts._replace(path="/postgres", query="").geturl()
    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        # WITH (FORCE) ends the sessions a previous, interrupted run may have left open.
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        server_version = conn.execute("SHOW server_version").fetchone()[0]
    return BenchDatabase(url=url, name=name, server_version=server_version)
