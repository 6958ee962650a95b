-- Accounts, their API keys and tokens, and click-to-call configurations.
-- Public ids are 32 lowercase hex characters (Kazoo); the INTEGER rowid orders and pages.

CREATE TABLE accounts (
  rowid      INTEGER PRIMARY KEY AUTOINCREMENT,
  id         TEXT NOT NULL UNIQUE CHECK (length(id) = 32),
  name       TEXT NOT NULL,
  realm      TEXT NOT NULL,
  parent_id  TEXT REFERENCES accounts(id),
  context    TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE api_keys (
  rowid      INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id TEXT NOT NULL REFERENCES accounts(id),
  key_hash   TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);

CREATE TABLE auth_tokens (
  rowid       INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash  TEXT NOT NULL UNIQUE,
  account_id  TEXT NOT NULL REFERENCES accounts(id),
  api_key_id  INTEGER NOT NULL REFERENCES api_keys(rowid),
  expires_at  INTEGER NOT NULL, -- Unix milliseconds
  created_at  TEXT NOT NULL
);
CREATE INDEX auth_tokens_expires ON auth_tokens(expires_at);

CREATE TABLE clicktocalls (
  rowid      INTEGER PRIMARY KEY AUTOINCREMENT,
  id         TEXT NOT NULL UNIQUE CHECK (length(id) = 32),
  account_id TEXT NOT NULL REFERENCES accounts(id),
  doc        TEXT NOT NULL CHECK (json_valid(doc)), -- the public document, without id
  revision   TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
);
CREATE INDEX clicktocalls_account ON clicktocalls(account_id, rowid);
