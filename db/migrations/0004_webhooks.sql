-- Call status webhooks (docs/webhooks.md): where each call's events go, the outbox the delivery worker sends
-- from, the accounts' signing secrets, and the receivers that answered 410 Gone.

ALTER TABLE call_history ADD COLUMN status_callback TEXT CHECK (status_callback IS NULL OR json_valid(status_callback));

-- One row per event, written in the same transaction as the history change that caused it.
CREATE TABLE webhook_outbox (
  rowid           INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id        TEXT NOT NULL UNIQUE,
  account_id      TEXT NOT NULL REFERENCES accounts(id),
  clicktocall_id  TEXT NOT NULL,
  call_id         TEXT NOT NULL,
  sequence        INTEGER NOT NULL,             -- 1, 2, 3… per call
  type            TEXT NOT NULL,                -- call.<status>
  occurred_ms     INTEGER NOT NULL,             -- Unix milliseconds
  url             TEXT NOT NULL,
  destination     TEXT NOT NULL,                -- the URL's scheme://host:port: concurrency is bounded per destination
  method          TEXT NOT NULL CHECK (method IN ('POST', 'PUT')),
  record          TEXT NOT NULL CHECK (json_valid(record)),
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_ms INTEGER,                      -- while pending
  last_attempt_ms INTEGER,
  last_status     INTEGER,                      -- the receiver's HTTP status of the last attempt
  last_error      TEXT,
  delivered_ms    INTEGER,
  UNIQUE (call_id, sequence)
);
-- The delivery worker's read: due events in order, with what it filters on, without reading the rows (a call's
-- earlier events are found by the UNIQUE (call_id, sequence) index). Few indexes: each is written with every event.
CREATE INDEX webhook_outbox_due ON webhook_outbox(next_attempt_ms, destination, call_id, sequence)
  WHERE state = 'pending';
CREATE INDEX webhook_outbox_account ON webhook_outbox(account_id, rowid);

-- The secret events are signed with; during a rotation the previous one signs too, until previous_until_ms.
CREATE TABLE webhook_secrets (
  account_id        TEXT PRIMARY KEY REFERENCES accounts(id),
  secret            TEXT NOT NULL,
  created_ms        INTEGER NOT NULL,
  previous_secret   TEXT,
  previous_until_ms INTEGER
);

-- A receiver that answered 410 Gone gets nothing more from this account until it is named again.
CREATE TABLE webhook_stops (
  account_id TEXT NOT NULL REFERENCES accounts(id),
  url        TEXT NOT NULL,
  stopped_ms INTEGER NOT NULL,
  PRIMARY KEY (account_id, url)
);
