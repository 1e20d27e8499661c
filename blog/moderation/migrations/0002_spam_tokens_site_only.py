"""SpamToken rows now hold only this site's moderator decisions; the seed is read from the
shipped CSVs at run time. Rows written before mixed the old seed into the counts, so they
are cleared; the nightly `retrain_classifier` task rebuilds them from the moderators'
decisions (or run it at once: `celery -A config call blog.moderation.tasks.retrain_classifier`)."""

from django.db import migrations


def clear(apps, schema_editor):
    apps.get_model("moderation", "SpamToken").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]
    operations = [migrations.RunPython(clear, migrations.RunPython.noop)]
