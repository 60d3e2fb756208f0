"""The "sinba" form: the SINBA attributes of a minor in care that the structured record does not
hold (school, work, disability, orphanhood…), with the official codes as answers. Loaded by the
same idempotent loader as 0008."""

from django.db import migrations


def load_instruments(apps, schema_editor):
    from ambito.cases.instruments import sync_instruments

    sync_instruments(apps.get_model("cases", "Instrument"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_instruments"),
    ]

    operations = [
        migrations.RunPython(load_instruments, migrations.RunPython.noop),
    ]
