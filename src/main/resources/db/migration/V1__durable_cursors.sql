-- Durable cursors: the last position a client acknowledged on a channel, so it can resume with
-- {"resume": true} instead of holding the cursor itself. Written behind, coalesced per channel
-- (at most one write per row per flush interval), never once per event.
CREATE TABLE streamgate_cursor (
    tenant        VARCHAR(128) NOT NULL,
    subject       VARCHAR(255) NOT NULL, -- the token's sub
    client_id     VARCHAR(64)  NOT NULL, -- from ?client_id= on the handshake; '' when none
    channel       VARCHAR(255) NOT NULL, -- as subscribed, possibly a wildcard (inventory:*)
    topic_id      VARCHAR(32)  NOT NULL, -- the cursor's epoch: Kafka topic id ...
    partitions    INT          NOT NULL, -- ... and partition count
    kafka_partition INT        NOT NULL,
    kafka_offset  BIGINT       NOT NULL, -- the last acknowledged record's offset
    updated_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, subject, client_id, channel)
);
