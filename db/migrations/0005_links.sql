-- Public links (docs/links.md): a website's "call me" button connects through one of these instead of a token.

CREATE TABLE clicktocall_links (
  rowid            INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT NOT NULL UNIQUE CHECK (length(id) = 32),
  account_id       TEXT NOT NULL REFERENCES accounts(id),
  clicktocall_id   TEXT NOT NULL REFERENCES clicktocalls(id),
  created_ms       INTEGER NOT NULL,
  expires_ms       INTEGER NOT NULL,
  max_calls        INTEGER,                       -- NULL: no limit but the others
  calls            INTEGER NOT NULL DEFAULT 0,    -- connects accepted through the link
  calls_per_minute INTEGER NOT NULL,              -- connects a minute through the link, at most
  origins          TEXT NOT NULL CHECK (json_valid(origins)),
  contact          TEXT,                          -- a fixed contact, or NULL
  contact_prefixes TEXT CHECK (contact_prefixes IS NULL OR json_valid(contact_prefixes)),
  revoked_ms       INTEGER
);
CREATE INDEX clicktocall_links_config ON clicktocall_links(clicktocall_id, rowid);

-- Keys the service signs its own tokens with (link and call-status tokens), made on first use and shared by every
-- process over this database.
CREATE TABLE service_keys (
  name       TEXT PRIMARY KEY,
  key        TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
