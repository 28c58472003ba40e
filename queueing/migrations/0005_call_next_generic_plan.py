from django.db import migrations

# queue_call_next was planned afresh on every call (plan_cache_mode = force_custom_plan, from
# migration 0003), because a generic plan then chose to scan and sort the day's queue. Since
# migration 0004 prices sorting out inside the function, the generic plan reads the head of
# ticket_waiting_queue in order as well, so the plans can be cached per connection. Planning
# every call cost more than running it: the planner probes the ends of the indexes for
# today's values (beyond the statistics of the last ANALYZE) and steps over the dead entries
# the calls leave there, about 1.3 ms a call on this 2-core machine (616 -> 1,146 calls/s for
# the bare function with 16 callers).
SIGNATURE = "queue_call_next(bigint, bigint, bigint, text, timestamptz, date)"


class Migration(migrations.Migration):
    dependencies = [("queueing", "0004_call_next_plan_and_vacuum")]

    operations = [
        migrations.RunSQL(
            f"ALTER FUNCTION {SIGNATURE} RESET plan_cache_mode",
            f"ALTER FUNCTION {SIGNATURE} SET plan_cache_mode = force_custom_plan",
        )
    ]
