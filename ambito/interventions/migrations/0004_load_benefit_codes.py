"""The INPS benefit codes (reference_data/benefit_codes.json), so that every installation has
them, and the SIOSS area and standard cost of the default services the Ambiti already have
(filled only where blank). Later changes to the table come with later migrations that call the
same loader: it adds the missing codes and applies the shipped changes."""

from django.db import migrations


def load(apps, schema_editor):
    from ambito.interventions.catalogue import fill_blank_defaults, sync_benefit_codes

    sync_benefit_codes(apps.get_model("interventions", "BenefitCode"))
    fill_blank_defaults(apps.get_model("interventions", "Service").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("interventions", "0003_benefit_codes"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
