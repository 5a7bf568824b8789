-- SSE tickets (docs/protocol.md, "SSE transport"): POST /v1/sse/ticket stores one, GET /v1/sse?ticket= opens its
-- stream once (redeemed_at), and any replica lets that stream reconnect (the browser's Last-Event-ID names
-- stream_id) until the token expires. Refresh moves grant and expires_at forward. Rows go once expired.
CREATE TABLE streamgate_sse_ticket (
    ticket_hash  VARCHAR(64)  PRIMARY KEY,  -- SHA-256 of the ticket, hex: the table never holds a usable ticket
    stream_id    VARCHAR(64)  NOT NULL,
    grant_json   TEXT         NOT NULL,     -- the verified token's grant (tenant, sub, patterns, exp), not the token
    client_id    VARCHAR(64)  NOT NULL,
    channels     TEXT         NOT NULL,     -- the subscribe requests the stream opens with, JSON
    redeem_by    TIMESTAMPTZ  NOT NULL,
    expires_at   TIMESTAMPTZ  NOT NULL,
    redeemed_at  TIMESTAMPTZ
);
CREATE INDEX streamgate_sse_ticket_expiry ON streamgate_sse_ticket (expires_at);
