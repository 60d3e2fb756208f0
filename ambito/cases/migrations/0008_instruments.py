"""The assessment instruments the Ambito ships (SINA, Mondo del Bambino, ADI analisi preliminare,
Barthel), so that every installation has them. Later versions come with later migrations that
call the same loader: it only adds the (code, version) pairs that are missing."""

from django.db import migrations


def load_instruments(apps, schema_editor):
    from ambito.cases.instruments import sync_instruments

    sync_instruments(apps.get_model("cases", "Instrument"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_process"),
    ]

    operations = [
        migrations.RunPython(load_instruments, migrations.RunPython.noop),
    ]
