-- State that must be shared by every instance of the service on one
-- database: with SQLite it lives in one process (rate limits) or a file of
-- its own (idempotency keys); here it lives beside the domain tables.

-- Idempotency-Key records: an in-flight mark with the request's
-- fingerprint, then the stored answer, kept until expires_at.
CREATE TABLE idempotency_keys (
    client       TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    fingerprint  TEXT    NOT NULL,
    in_flight    BOOLEAN NOT NULL,
    status       INTEGER,
    content_type TEXT,
    body         BYTEA,
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    PRIMARY KEY (client, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- One token bucket per caller, refilled from the database's own clock so
-- instances with skewed clocks agree.
CREATE TABLE rate_limit_buckets (
    client      TEXT             PRIMARY KEY,
    tokens      DOUBLE PRECISION NOT NULL,
    refilled_at DOUBLE PRECISION NOT NULL
);
