# The summary rows keep counts and sums only: the histograms are the roll-ups' (QueueRollup),
# nothing reads percentiles by the hour, and they made the table larger than the tickets'.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("queueing", "0018_phone_documents_rating"),
    ]

    operations = [
        migrations.RemoveField(model_name="queuesummary", name=name)
        for name in ("wait_hist", "service_hist", "visit_hist", "process_hist")
    ]
