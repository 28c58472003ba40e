-- The kiosk's ticket in one round trip: the service (in the caller's scope, active), the
-- day's next number for its letter, the visit and the ticket. An unknown, out-of-scope or
-- inactive service matches no row, so nothing is written and no row is returned.
-- The number is taken as sso.core.numbering takes every gap-free number (the same upsert,
-- tests/test_queue_sql.py compares them), but reading the office and letter from the
-- service row found here: the upsert's row lock serialises one letter's kiosks, and a failed
-- issue rolls the number back, so numbers have no gaps.
-- Unlike a call (queue_call_next.sql), the ticket's commit waits for its WAL to reach the
-- disk (synchronous_commit stays on): its number is printed on paper and handed to a person,
-- so a database crash must not lose it and print the same number again for someone else.
-- Loaded by queueing.services (psycopg named parameters: no percent sign in comments).
WITH service AS (
    SELECT * FROM queueing_service
    WHERE id = %(service)s AND is_active AND (%(scope)s::bigint IS NULL OR office_id = %(scope)s)
), number AS (
    INSERT INTO queueing_ticketsequence (office_id, service_day, prefix, last_number)
    SELECT office_id, %(day)s, prefix, 1 FROM service
    ON CONFLICT (office_id, service_day, prefix)
    DO UPDATE SET last_number = queueing_ticketsequence.last_number + 1
    RETURNING last_number
), visit AS (
    INSERT INTO queueing_visit (office_id, started_at) SELECT office_id, %(now)s FROM service RETURNING id
), ticket AS (
    INSERT INTO queueing_ticket (office_id, service_id, visit_id, service_day, prefix, number, customer_kind,
                                 customer_ref, priority, status, outcome, queued_at, issued_at, call_count)
    SELECT service.office_id, service.id, visit.id, %(day)s, service.prefix, number.last_number, %(kind)s, %(ref)s,
           %(priority)s, 'waiting', '', %(now)s, %(now)s, 0
    FROM service, number, visit
    RETURNING *
)
SELECT row_to_json(ticket), (SELECT row_to_json(service) FROM service) FROM ticket
