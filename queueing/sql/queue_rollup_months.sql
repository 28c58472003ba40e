-- The month roll-ups (queueing_queuerollup, span 'month') of the month from %(month)s to
-- %(month_end)s, for one office (%(office)s) or every office (NULL), from its day roll-ups:
-- run by queueing.services.queue_summary_roll once the month has ended, after it deleted the
-- month's rows, in the same transaction. Counts add up, maxima take the largest, histograms
-- add element by element (queue_histogram_sum, queue_histogram.sql).
INSERT INTO queueing_queuerollup (
    office_id, span, day, service_id, priority, detail, counter_id, officer_id,
    tickets, arrivals, served, documents_missing, no_shows, cancelled, transfers, targeted, within_target,
    wait_hist, waited, wait_seconds, wait_max, service_hist, service_seconds, service_max,
    visit_hist, visit_seconds, visit_max,
    processed, process_targeted, process_within, process_hist, process_seconds, process_max, rolled_at)
SELECT office_id, 'month', %(month)s, service_id, priority, detail, counter_id, officer_id,
       sum(tickets), sum(arrivals), sum(served), sum(documents_missing), sum(no_shows), sum(cancelled),
       sum(transfers), sum(targeted), sum(within_target),
       queue_histogram_sum(wait_hist), sum(waited), sum(wait_seconds), max(wait_max),
       queue_histogram_sum(service_hist), sum(service_seconds), max(service_max),
       queue_histogram_sum(visit_hist), sum(visit_seconds), max(visit_max),
       sum(processed), sum(process_targeted), sum(process_within),
       queue_histogram_sum(process_hist), sum(process_seconds), max(process_max), %(now)s
FROM queueing_queuerollup
WHERE span = 'day' AND day BETWEEN %(month)s AND %(month_end)s
  AND (%(office)s::bigint IS NULL OR office_id = %(office)s::bigint)
GROUP BY office_id, service_id, priority, detail, counter_id, officer_id
