-- One history record per accepted connect, and whether an account may connect SIP URIs.

ALTER TABLE accounts ADD COLUMN allow_sip_uri INTEGER NOT NULL DEFAULT 0;

CREATE TABLE call_history (
  rowid          INTEGER PRIMARY KEY AUTOINCREMENT,
  id             TEXT NOT NULL UNIQUE CHECK (length(id) = 32),
  call_id        TEXT NOT NULL UNIQUE,
  account_id     TEXT NOT NULL REFERENCES accounts(id),
  clicktocall_id TEXT NOT NULL REFERENCES clicktocalls(id),
  created_ms     INTEGER NOT NULL,            -- Unix milliseconds
  status         TEXT NOT NULL,
  final          INTEGER NOT NULL DEFAULT 0,  -- 1 once the status can no longer change
  doc            TEXT NOT NULL CHECK (json_valid(doc)),
  updated_ms     INTEGER NOT NULL
);
CREATE INDEX call_history_c2c_created ON call_history(clicktocall_id, created_ms);
CREATE INDEX call_history_c2c_rowid ON call_history(clicktocall_id, rowid);
CREATE INDEX call_history_open ON call_history(final) WHERE final = 0;
