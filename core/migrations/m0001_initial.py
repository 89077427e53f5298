"""Initial schema: every table of core/models.py as of version 1."""
from __future__ import annotations

import peewee


def apply(db: peewee.Database) -> None:
    from core.models import ALL_MODELS

    # Creating from the model classes is right only for this first snapshot: later changes are
    # explicit migrations (playhouse.migrate) so that existing shops' databases follow.
    db.create_tables(ALL_MODELS, safe=False)
