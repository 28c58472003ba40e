-- Calling next: the hot path of every counter, one database round trip and one transaction.
-- queueing.services.ticket_call_next is its only caller and maps the error codes raised here
-- (SQLSTATE P0001, message = code) to the translated messages.
--
-- This file is the function's one source: the newest queueing migration that reads it
-- installs it (CREATE OR REPLACE); a change here needs a new migration that applies the file
-- again (tests/test_queue_sql.py holds the database, the file and the migration together).
-- Why it is shaped so: migrations 0003 (one function), 0004 (sorting priced out: the head of
-- ticket_waiting_queue in index order), 0005 (plans cached per connection) and 0008
-- (synchronous_commit off for the call alone), and docs/architecture.md.
CREATE OR REPLACE FUNCTION queue_call_next(
    p_counter bigint, p_officer bigint, p_scope_office bigint, p_close text, p_now timestamptz, p_day date
) RETURNS json LANGUAGE plpgsql
-- The head of the queue is read in index order whatever the statistics say (migration 0004).
SET enable_sort = off
SET enable_bitmapscan = off
AS $$
DECLARE
    v_counter queueing_counter%ROWTYPE;
    v_current queueing_ticket%ROWTYPE;
    v_next bigint;
BEGIN
    -- The call does not wait for its WAL to reach the disk (migration 0008): a crash of the
    -- database server loses at most the last 0.6 s of calls, whose tickets are called again.
    PERFORM set_config('synchronous_commit', 'off', true);
    SELECT * INTO v_counter FROM queueing_counter
    WHERE id = p_counter AND (p_scope_office IS NULL OR office_id = p_scope_office)
    FOR UPDATE;
    IF NOT FOUND THEN RAISE EXCEPTION 'not_found'; END IF;
    IF p_officer IS NOT NULL AND v_counter.officer_id IS DISTINCT FROM p_officer THEN
        RAISE EXCEPTION 'not_signed_in';
    END IF;

    SELECT * INTO v_current FROM queueing_ticket
    WHERE counter_id = p_counter AND status IN ('called', 'serving') FOR UPDATE;
    IF FOUND THEN
        IF p_close IS NULL THEN RAISE EXCEPTION 'busy'; END IF;
        IF NOT ((p_close = 'no_show' AND v_current.status = 'called')
                OR (p_close IN ('completed', 'documents_missing', 'referred') AND v_current.status = 'serving')) THEN
            RAISE EXCEPTION 'close_current';
        END IF;
        UPDATE queueing_ticket SET status = 'done', outcome = p_close, finished_at = p_now WHERE id = v_current.id;
        -- The visit ends with its last open ticket.
        UPDATE queueing_visit v SET finished_at = p_now WHERE v.id = v_current.visit_id
            AND NOT EXISTS (SELECT 1 FROM queueing_ticket o WHERE o.visit_id = v.id
                            AND o.status IN ('waiting', 'called', 'serving'));
    END IF;

    -- The head of the queue in calling order (partial index ticket_waiting_queue); a ticket
    -- another counter is taking right now is skipped, never taken twice.
    SELECT t.id INTO v_next FROM queueing_ticket t
    WHERE t.office_id = v_counter.office_id AND t.service_day = p_day AND t.status = 'waiting'
      AND t.service_id IN (
          SELECT cs.service_id FROM queueing_counter_services cs
          JOIN queueing_service s ON s.id = cs.service_id AND s.is_active
          WHERE cs.counter_id = p_counter)
      AND (t.target_counter_id IS NULL OR t.target_counter_id = p_counter)
    ORDER BY t.priority, t.queued_at, t.id
    LIMIT 1
    FOR UPDATE SKIP LOCKED;
    IF v_next IS NULL THEN
        IF NOT EXISTS (SELECT 1 FROM queueing_counter_services cs JOIN queueing_service s
                       ON s.id = cs.service_id AND s.is_active WHERE cs.counter_id = p_counter) THEN
            RAISE EXCEPTION 'no_services';
        END IF;
        RAISE EXCEPTION 'empty';
    END IF;

    UPDATE queueing_ticket
    SET status = 'called', counter_id = p_counter, officer_id = p_officer, called_at = p_now,
        first_called_at = COALESCE(first_called_at, p_now), call_count = call_count + 1
    WHERE id = v_next;
    INSERT INTO queueing_ticketcall (ticket_id, counter_id, officer_id, called_at)
    VALUES (v_next, p_counter, p_officer, p_now);
    -- The called ticket, its service and counter: the caller needs no further query.
    RETURN (SELECT json_build_object('ticket', row_to_json(t), 'service', row_to_json(s), 'counter_number', v_counter.number)
            FROM queueing_ticket t JOIN queueing_service s ON s.id = t.service_id WHERE t.id = v_next);
END;
$$;
