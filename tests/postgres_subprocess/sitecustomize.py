"""Loaded by every `python` the PostgreSQL pass starts (conftest puts this folder on PYTHONPATH):
a `KOORDINAT_DATABASE` file path becomes the same schema the test process maps that path to
(tests/postgres_support.py), so `python -m bot run` in a subprocess and the test see one database.
The tests strip KOORDINAT_* from a child's environment; this variable is not one of them."""

import os

_dsn = os.environ.get("PYTEST_POSTGRES_DSN")
_database = os.environ.get("KOORDINAT_DATABASE")
if _dsn and _database and "://" not in _database:
    from tests.postgres_support import remember_schema, schema_for

    os.environ["KOORDINAT_DATABASE"] = _dsn
    os.environ["KOORDINAT_DATABASE_SCHEMA"] = schema_for(_database)
    remember_schema(_database)  # the test drops it when it ends
