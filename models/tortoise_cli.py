"""Configuration for tortoise's own CLI: `python -m tortoise -c models.tortoise_cli.TORTOISE_ORM makemigrations`."""

import os

from models import tortoise_config

# makemigrations diffs the models against the migration files, not against a live database.
TORTOISE_ORM = tortoise_config(os.environ.get("MINGBAI_DATABASE_URL", "sqlite://var/makemigrations.sqlite3"))
