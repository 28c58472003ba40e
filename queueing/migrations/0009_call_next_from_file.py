from pathlib import Path

from django.db import migrations

# queue_call_next is installed from its one source, queueing/sql/queue_call_next.sql
# (CREATE OR REPLACE): 0003, 0004, 0005 and 0008 are its history. A change to the file needs
# a new migration like this one, with the file's md5 (tests/test_queue_sql.py checks that
# the newest one names the file as it is).
SOURCE = Path(__file__).resolve().parent.parent / "sql" / "queue_call_next.sql"
SOURCE_MD5 = "8d736ed44cc19d69ce810cc99fcf2fe1"


class Migration(migrations.Migration):
    dependencies = [("queueing", "0008_call_next_async_commit")]

    operations = [
        migrations.RunSQL(SOURCE.read_text(encoding="utf-8"), migrations.RunSQL.noop)
    ]  # 0008 installed the same function
