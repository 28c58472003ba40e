from django.db import migrations

# 1. The head of the queue must be read in index order (ticket_waiting_queue) whatever the
#    statistics say. The day's tickets arrive after the last ANALYZE, so the planner thinks
#    a few dozen are waiting, and with 30,000 it scanned and sorted all of them (17 ms a
#    call instead of 0.2 ms). Inside the function only, sorting and bitmap scans are priced
#    out, which leaves the ordered index scan.
# 2. Every call leaves a dead entry at the head of that index (and at the counter's key of
#    ticket_one_per_counter); until VACUUM removes them each call steps over all of the
#    day's: 1 ms after 34,000 calls, growing all day. The table is vacuumed every 30 s by
#    the beat (queueing.tasks.queue_tables_vacuum, for servers with autovacuum off), and
#    autovacuum, where it runs, is told to come after 5,000 changes, not 20% of the table.
PLAN = """
ALTER FUNCTION queue_call_next(bigint, bigint, bigint, text, timestamptz, date) SET enable_sort = off;
ALTER FUNCTION queue_call_next(bigint, bigint, bigint, text, timestamptz, date) SET enable_bitmapscan = off;
ALTER TABLE queueing_ticket SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
                                 autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 20000);
"""

UNDO = """
ALTER FUNCTION queue_call_next(bigint, bigint, bigint, text, timestamptz, date) RESET enable_sort;
ALTER FUNCTION queue_call_next(bigint, bigint, bigint, text, timestamptz, date) RESET enable_bitmapscan;
ALTER TABLE queueing_ticket RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold,
                                   autovacuum_analyze_scale_factor, autovacuum_analyze_threshold);
"""


class Migration(migrations.Migration):
    dependencies = [("queueing", "0003_call_next_function")]

    operations = [migrations.RunSQL(PLAN, UNDO)]
