"""Bulk loading for the province data set: the ids are computed here, the rows written with
COPY on PostgreSQL (psycopg's `cursor.copy`) and with `executemany` elsewhere (SQLite, for the
tests' tiny builds).

A `Table` holds the rows of one model, each row given by keyword with every concrete column
named (a column added to the model later makes the generator fail loudly, not load NULLs).
On PostgreSQL, when the user may, the load runs with `session_replication_role = replica`:
the foreign keys' triggers do not fire row by row, and `orphans()` checks every foreign key of
the loaded tables afterwards with one anti-join each.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models


class Table:
    """The rows of one model waiting to be written, with ids allocated from `next_id`."""

    def __init__(self, model: type[models.Model], next_id: int) -> None:
        self.model = model
        meta = model._meta
        self.fields = list(meta.local_concrete_fields)
        self.names = [f.attname for f in self.fields if not f.primary_key]
        self.columns = [str(f.column) for f in self.fields]
        self.json = [isinstance(f, models.JSONField) for f in self.fields]
        self.next_id = next_id
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    @property
    def db_table(self) -> str:
        return str(self.model._meta.db_table)

    def add(self, **values: Any) -> int:
        """Appends a row (every column but the id, by attname) and returns its id."""
        if len(values) != len(self.names):
            missing = set(self.names) - set(values)
            extra = set(values) - set(self.names)
            raise TypeError(f"{self.db_table}: missing {missing}, unknown {extra}")
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *map(values.__getitem__, self.names)))
        return pk

    def __len__(self) -> int:
        return self.written + len(self.rows)


class Loader:
    """The tables of one build; `flush()` writes what they hold and empties them."""

    def __init__(self) -> None:
        self.tables: dict[type[models.Model], Table] = {}
        self.postgresql = connection.vendor == "postgresql"
        self.replica = False

    def __getitem__(self, model: type[models.Model]) -> Table:
        table = self.tables.get(model)
        if table is None:
            table = self.tables[model] = Table(model, _max_id(model) + 1)
        return table

    def begin(self) -> None:
        """Inside the build's transaction: row-by-row foreign-key triggers off when allowed."""
        if not self.postgresql:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            row = cursor.fetchone()
            if row and row[0]:
                cursor.execute("SET LOCAL session_replication_role = replica")
                self.replica = True

    def end(self) -> None:
        """Triggers back on, sequences past the ids written."""
        if not self.postgresql:
            return
        with connection.cursor() as cursor:
            if self.replica:
                cursor.execute("SET LOCAL session_replication_role = origin")
            for table in self.tables.values():
                name = table.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {connection.ops.quote_name(name)}))"
                )

    def flush(self) -> None:
        for table in self.tables.values():
            if table.rows:
                _write(table)
                table.written += len(table.rows)
                table.rows = []

    def counts(self) -> dict[str, int]:
        return {table.db_table: len(table) for table in self.tables.values()}

    def orphans(self) -> dict[str, int]:
        """Rows whose foreign key points at nothing, by "table.column" (empty: all sound)."""
        found = {}
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table in self.tables.values():
                for field in table.fields:
                    if not field.is_relation or not field.many_to_one and not field.one_to_one:
                        continue
                    target = field.related_model._meta  # type: ignore[union-attr]
                    column, parent = qn(str(field.column)), qn(str(target.db_table))
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {qn(table.db_table)} c "
                        f"WHERE c.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p "
                        f"WHERE p.{qn(str(target.pk.column))} = c.{column})"  # type: ignore[union-attr]
                    )
                    row = cursor.fetchone()
                    if row and row[0]:
                        found[f"{table.db_table}.{field.column}"] = row[0]
        return found


def _max_id(model: type[models.Model]) -> int:
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {qn(str(model._meta.db_table))}")
        row = cursor.fetchone()
    return int(row[0] or 0) if row else 0


def _write(table: Table) -> None:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in table.columns)
    if connection.vendor == "postgresql":
        rows: Iterable[Sequence[Any]] = table.rows
        if any(table.json):
            rows = (_jsonified(row, table.json) for row in table.rows)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
            with raw.copy(f"COPY {qn(table.db_table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * len(table.columns))
    prepared = [
        tuple(
            field.get_db_prep_save(value, connection)
            for field, value in zip(table.fields, row, strict=True)
        )
        for row in table.rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {qn(table.db_table)} ({columns}) VALUES ({placeholders})", prepared
        )


def _jsonified(row: tuple[Any, ...], json_columns: list[bool]) -> tuple[Any, ...]:
    return tuple(
        json.dumps(value) if is_json and value is not None else value
        for value, is_json in zip(row, json_columns, strict=True)
    )
