-- The queue's histograms (QueueSummary, QueueRollup): integer arrays whose element b (1-based:
-- b - 1 minutes) counts the durations over b - 2 and up to b - 1 minutes, ending at the last
-- non-zero element. Three functions, installed by the newest queueing migration that reads
-- this file (0013; a change here needs a new one):
--
-- queue_histogram(buckets int[]): the histogram of a list of bucket numbers (0-based), what
--   the roll-up writes for each group of tickets. One pass over the list.
-- queue_histogram_add(a int[], b int[]): a and b added element by element (the shorter one
--   padded with zeros), the step of
-- queue_histogram_sum(int[]): the aggregate adding a group's histograms, what the reports read
--   (a month of an office: every day's rows added up in one pass, no unnest).
--
-- PL/pgSQL, not SQL: it changes the array in place (an expanded array, kept from call to call
-- as the aggregate's state), where unnest() WITH ORDINALITY and a GROUP BY over every bucket
-- of every row cost about ten times as much (measured on 1,000,000 tickets, 2026-12-07).
CREATE OR REPLACE FUNCTION queue_histogram(buckets int[]) RETURNS int[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    histogram int[] := '{}';
    bucket int;
    i int;
BEGIN
    IF buckets IS NULL THEN
        RETURN histogram;
    END IF;
    FOREACH bucket IN ARRAY buckets LOOP
        CONTINUE WHEN bucket IS NULL;
        FOR i IN coalesce(cardinality(histogram), 0) + 1 .. bucket + 1 LOOP
            histogram[i] := 0;
        END LOOP;
        histogram[bucket + 1] := histogram[bucket + 1] + 1;
    END LOOP;
    RETURN histogram;
END
$$;

CREATE OR REPLACE FUNCTION queue_histogram_add(a int[], b int[]) RETURNS int[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    i int;
BEGIN
    IF a IS NULL THEN
        RETURN b;
    END IF;
    IF b IS NULL THEN
        RETURN a;
    END IF;
    FOR i IN cardinality(a) + 1 .. cardinality(b) LOOP
        a[i] := 0;
    END LOOP;
    FOR i IN 1 .. cardinality(b) LOOP
        a[i] := a[i] + b[i];
    END LOOP;
    RETURN a;
END
$$;

CREATE OR REPLACE AGGREGATE queue_histogram_sum(int[]) (
    SFUNC = queue_histogram_add,
    STYPE = int[],
    COMBINEFUNC = queue_histogram_add,
    INITCOND = '{}',
    PARALLEL = SAFE
);
