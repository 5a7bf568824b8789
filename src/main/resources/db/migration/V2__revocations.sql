-- Revocations issued through the server API (docs/api.md): read by every replica at startup and every
-- streamgate.api.revocation-reload, checked at the WebSocket upgrade, at refresh and on every API request.

-- One token, by its jti. Forgotten once the token has expired (expires_at: its exp, or 30 days when not given).
CREATE TABLE streamgate_revoked_token (
    tenant      VARCHAR(128) NOT NULL,
    jti         VARCHAR(255) NOT NULL,
    expires_at  TIMESTAMPTZ  NOT NULL,
    revoked_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, jti)
);

-- Every token of a subject issued (iat) before issued_before; a token without iat counts as issued before.
-- Kept: one row per subject, moved forward by a later revocation.
CREATE TABLE streamgate_revoked_subject (
    tenant        VARCHAR(128) NOT NULL,
    subject       VARCHAR(255) NOT NULL,
    issued_before TIMESTAMPTZ  NOT NULL,
    revoked_at    TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, subject)
);
