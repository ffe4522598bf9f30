-- Case events as delivered. ReplacingMergeTree keyed by (case_id,
-- event_id): a re-delivered event collapses into one row when parts merge,
-- and until then every reader deduplicates (the fact rebuild counts
-- uniqExact(event_id); min/max/argMin/argMax ignore repeats).
CREATE TABLE IF NOT EXISTS events (
    event_id UInt64,
    case_id UInt64,
    seq UInt32,
    type String,
    occurred_at DateTime,
    actor_kind String,
    from_status String,
    to_status String,
    channel String,
    kind String,
    priority String,
    department_id UInt64,
    category_id UInt64,
    service_project_id UInt64,
    petitioner_key String,
    received_at DateTime,
    review_round UInt8,
    rating UInt8,
    outcome String,
    respond_due DateTime,
    deadline String,
    extension_hours Int32,
    ingested_at DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (case_id, event_id);

-- One row per case with its timings (0 = never), recomputed from all of
-- the case's events whenever an event of the case arrives. version is the
-- number of distinct events folded in, so the most complete row wins
-- (ReplacingMergeTree(version)); readers use FINAL. Evaluations group by
-- numbers rather than strings, which is several times faster: channel and
-- kind have codes (0: a value the fold does not know), the petitioner key
-- its 128 bits (0, 0: anonymous), and within/breached are folded too.
CREATE TABLE IF NOT EXISTS case_facts (
    case_id UInt64,
    version UInt32,
    received_at DateTime,
    channel String,
    kind String,
    channel_code UInt8,
    kind_code UInt8,
    priority String,
    department_id UInt64,
    category_id UInt64,
    service_project_id UInt64,
    petitioner_key String,
    petitioner_hi UInt64,
    petitioner_lo UInt64,
    acknowledged_at DateTime,
    accepted_at DateTime,
    declined_at DateTime,
    responded_at DateTime,
    respond_due DateTime,
    closed_at DateTime,
    rating UInt8,
    review_round UInt8,
    extensions UInt32,
    breaches UInt32,
    within UInt8,
    breached UInt8,
    updated_at DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(received_at)
ORDER BY case_id;
