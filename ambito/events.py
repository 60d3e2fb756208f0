"""The append-only event rows that every action leaves: shared shape and database guard."""

from typing import Any

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


class EventBase(models.Model):
    """One immutable fact: who did what, when, with the old and new values in `data`."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="autore"
    )
    at = models.DateTimeField("quando", default=timezone.now, db_index=True)
    summary = models.CharField("descrizione", max_length=300)
    data = models.JSONField("dettagli", default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


def _create_guards(table: str):  # type: ignore[no-untyped-def]
    def forwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(
                "CREATE OR REPLACE FUNCTION ambito_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'append-only table %', TG_TABLE_NAME; END; "
                "$$ LANGUAGE plpgsql",
                params=None,  # no %-interpolation: the % above is PL/pgSQL's
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION ambito_append_only()"
            )
        elif vendor == "sqlite":
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'append-only table {table}'); END"
                )

    def backwards(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        elif vendor == "sqlite":
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")

    return forwards, backwards


def append_only(table: str) -> migrations.RunPython:
    """Migration operation: the database itself refuses UPDATE and DELETE on `table`."""
    forwards, backwards = _create_guards(table)
    return migrations.RunPython(forwards, backwards)
