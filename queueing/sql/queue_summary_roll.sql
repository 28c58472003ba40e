-- The queue's summary rows (queueing_queuesummary) of the days from %(start)s to %(end)s, for
-- one office (%(office)s) or every office (NULL), from the tickets issued those days and their
-- visits: run by queueing.services.queue_summary_roll after it deleted those days' rows, in
-- the same transaction. One row per office, day, service, hour of issue (local time,
-- %(tz)s), priority class, counter and officer of the last call; and the days' roll-ups
-- (queueing_queuerollup, span 'day'), the same without the hour, with and without the counter
-- and officer. Returns the rows written of each.
--
-- Durations are counted in whole minutes rounded up (a bucket b holds the durations over
-- b - 1 and up to b minutes), the last bucket (%(cap)s) every longer one: see QueueSummary.
-- A visit is counted on its served ticket (an outcome of %(served)s, the finish outcomes) (its last: a transfer closes the ticket it leaves),
-- from the visit's start, so a transferred customer's whole time is the visit's; it is within
-- target when it took no longer than the target of that service's kind on that day.
-- The process, end to end, is counted on the ticket its case's step was done on (TicketEvent),
-- from the visit's start: for a service of %(receipt_kinds)s the receipt issued, for one of
-- %(claim_kinds)s the claim decided at the counter, else recorded; the same target.
WITH targets AS (
    SELECT DISTINCT ON (st.kind, d.day) st.kind, d.day::date AS day, st.minutes
    FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS d(day)
    JOIN queueing_servicetarget st
      ON st.valid_from <= d.day AND (st.valid_to IS NULL OR st.valid_to >= d.day)
    ORDER BY st.kind, d.day, st.valid_from DESC
),
timed AS (
    SELECT t.office_id, t.service_day, t.service_id, t.priority, t.counter_id, t.officer_id,
           extract(hour FROM t.issued_at AT TIME ZONE %(tz)s)::smallint AS hour,
           t.transferred_from_id IS NULL AS arrival,
           t.outcome,
           tg.minutes AS target,
           extract(epoch FROM t.first_called_at - t.issued_at) AS wait,
           extract(epoch FROM t.finished_at - t.started_at) AS service,
           CASE WHEN t.outcome = ANY(%(served)s)
                THEN extract(epoch FROM t.finished_at - v.started_at) END AS visit,
           extract(epoch FROM coalesce(decided.at, step.at) - v.started_at) AS process
    FROM queueing_ticket t
    JOIN queueing_visit v ON v.id = t.visit_id
    JOIN queueing_service s ON s.id = t.service_id
    LEFT JOIN targets tg ON tg.kind = s.kind AND tg.day = t.service_day
    -- The ticket's steps, through ticketevent_one_per_kind (ticket, kind).
    LEFT JOIN queueing_ticketevent step
      ON step.ticket_id = t.id
     AND step.kind = CASE WHEN s.kind = ANY(%(receipt_kinds)s) THEN 'receipt_issued'
                          WHEN s.kind = ANY(%(claim_kinds)s) THEN 'claim_recorded' END
    LEFT JOIN queueing_ticketevent decided
      ON decided.ticket_id = t.id AND decided.kind = 'claim_decided' AND s.kind = ANY(%(claim_kinds)s)
    WHERE t.service_day BETWEEN %(start)s AND %(end)s
      AND (%(office)s::bigint IS NULL OR t.office_id = %(office)s::bigint)
),
bucketed AS (
    SELECT office_id, service_day, service_id, priority, counter_id, officer_id, hour, arrival, outcome, target,
           -- greatest() and least() pass over a NULL: a duration that is not there stays NULL.
           CASE WHEN wait IS NOT NULL THEN greatest(0, wait) END AS wait,
           CASE WHEN service IS NOT NULL THEN greatest(0, service) END AS service,
           CASE WHEN visit IS NOT NULL THEN greatest(0, visit) END AS visit,
           CASE WHEN process IS NOT NULL THEN greatest(0, process) END AS process,
           CASE WHEN wait IS NOT NULL THEN least(%(cap)s, ceil(greatest(0, wait) / 60))::int END AS wait_b,
           CASE WHEN service IS NOT NULL THEN least(%(cap)s, ceil(greatest(0, service) / 60))::int END AS service_b,
           CASE WHEN visit IS NOT NULL THEN least(%(cap)s, ceil(greatest(0, visit) / 60))::int END AS visit_b,
           CASE WHEN process IS NOT NULL THEN least(%(cap)s, ceil(greatest(0, process) / 60))::int END AS process_b
    FROM timed
),
grouped AS (
    -- Three groupings in one pass: the summary row (hour, counter, officer), the day's roll-up
    -- by counter and officer (`detail`), and the day's roll-up over them (grain 0, 4, 7). The
    -- histograms are the roll-ups' only (grouping(hour) = 1): a summary row keeps counts.
    SELECT office_id, service_day, service_id, priority, hour, counter_id, officer_id,
           grouping(hour, counter_id, officer_id) AS grain,
           count(*) AS tickets,
           count(*) FILTER (WHERE arrival) AS arrivals,
           count(visit) AS served,
           count(*) FILTER (WHERE outcome = 'documents_missing') AS documents_missing,
           count(*) FILTER (WHERE outcome = 'no_show') AS no_shows,
           count(*) FILTER (WHERE outcome = 'cancelled') AS cancelled,
           count(*) FILTER (WHERE outcome = 'transferred') AS transfers,
           count(visit) FILTER (WHERE target IS NOT NULL) AS targeted,
           count(*) FILTER (WHERE visit_b <= target) AS within_target,
           CASE WHEN grouping(hour) = 1 THEN queue_histogram(array_agg(wait_b)) END AS wait_hist, count(wait) AS waited,
           coalesce(sum(round(wait)), 0) AS wait_seconds, coalesce(max(round(wait)), 0) AS wait_max,
           CASE WHEN grouping(hour) = 1 THEN queue_histogram(array_agg(service_b)) END AS service_hist,
           coalesce(sum(round(service)), 0) AS service_seconds, coalesce(max(round(service)), 0) AS service_max,
           CASE WHEN grouping(hour) = 1 THEN queue_histogram(array_agg(visit_b)) END AS visit_hist,
           coalesce(sum(round(visit)), 0) AS visit_seconds, coalesce(max(round(visit)), 0) AS visit_max,
           count(process) AS processed,
           count(process) FILTER (WHERE target IS NOT NULL) AS process_targeted,
           count(*) FILTER (WHERE process_b <= target) AS process_within,
           CASE WHEN grouping(hour) = 1 THEN queue_histogram(array_agg(process_b)) END AS process_hist,
           coalesce(sum(round(process)), 0) AS process_seconds, coalesce(max(round(process)), 0) AS process_max
    FROM bucketed
    GROUP BY office_id, service_day, service_id, priority,
             GROUPING SETS ((hour, counter_id, officer_id), (counter_id, officer_id), ())
),
summary AS (
    INSERT INTO queueing_queuesummary (
        office_id, day, service_id, hour, priority, counter_id, officer_id,
        tickets, arrivals, served, documents_missing, no_shows, cancelled, transfers, targeted, within_target,
        waited, wait_seconds, wait_max, service_seconds, service_max, visit_seconds, visit_max,
        processed, process_targeted, process_within, process_seconds, process_max, rolled_at)
    SELECT office_id, service_day, service_id, hour, priority, counter_id, officer_id,
           tickets, arrivals, served, documents_missing, no_shows, cancelled, transfers, targeted, within_target,
           waited, wait_seconds, wait_max, service_seconds, service_max, visit_seconds, visit_max,
           processed, process_targeted, process_within, process_seconds, process_max, %(now)s
    FROM grouped WHERE grain = 0
    RETURNING 1
),
rollup AS (
    INSERT INTO queueing_queuerollup (
        office_id, span, day, service_id, priority, detail, counter_id, officer_id,
        tickets, arrivals, served, documents_missing, no_shows, cancelled, transfers, targeted, within_target,
        wait_hist, waited, wait_seconds, wait_max, service_hist, service_seconds, service_max,
        visit_hist, visit_seconds, visit_max,
        processed, process_targeted, process_within, process_hist, process_seconds, process_max, rolled_at)
    SELECT office_id, 'day', service_day, service_id, priority, grain = 4, counter_id, officer_id,
           tickets, arrivals, served, documents_missing, no_shows, cancelled, transfers, targeted, within_target,
           wait_hist, waited, wait_seconds, wait_max, service_hist, service_seconds, service_max,
           visit_hist, visit_seconds, visit_max,
           processed, process_targeted, process_within, process_hist, process_seconds, process_max, %(now)s
    FROM grouped WHERE grain <> 0
    RETURNING 1
)
SELECT (SELECT count(*) FROM summary), (SELECT count(*) FROM rollup)
