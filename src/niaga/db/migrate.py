"""Alembic, driven from code: `niaga migrate` and `niaga init` call `upgrade()`."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from niaga.db.engine import get_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", get_engine().url.render_as_string(hide_password=False))
    return cfg


def upgrade(revision: str = "head") -> None:
    engine = get_engine()
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def autogenerate(message: str) -> None:
    """Developer helper (`make migration m="..."`): write a new revision from model changes."""
    cfg = alembic_config()
    with get_engine().begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)
