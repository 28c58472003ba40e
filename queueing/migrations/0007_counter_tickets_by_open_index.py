import django.db.models.deletion
from django.db import migrations, models

# The ticket's counter loses its own index: a counter's tickets are only looked up while
# open, through the partial unique index ticket_one_per_counter, and a cached plan that took
# the plain index read every ticket the counter ever served on each call-next. Django's
# AlterField would drop every single-column index on counter_id, ticket_one_per_counter
# included (the guarantee of one ticket per counter): only the plain one is dropped here.
DROP_PLAIN_COUNTER_INDEX = """
DO $$
DECLARE
    name text;
BEGIN
    FOR name IN
        SELECT i.indexrelid::regclass::text FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = 'queueing_ticket'::regclass AND i.indnatts = 1 AND a.attname = 'counter_id'
          AND NOT i.indisunique AND i.indpred IS NULL
    LOOP
        EXECUTE format('DROP INDEX %s', name);
    END LOOP;
END $$;
"""
CREATE_PLAIN_COUNTER_INDEX = "CREATE INDEX queueing_ticket_counter_id_16690565 ON queueing_ticket (counter_id)"


class Migration(migrations.Migration):
    dependencies = [("queueing", "0006_fewer_ticket_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="counter",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="queueing.counter",
                    ),
                ),
            ],
            database_operations=[migrations.RunSQL(DROP_PLAIN_COUNTER_INDEX, CREATE_PLAIN_COUNTER_INDEX)],
        ),
    ]
