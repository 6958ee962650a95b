-- Run once on the PostgreSQL server, as its superuser: psql -f postgresql-setup.sql
-- The service creates its tables itself at its first start (db/postgres/), under an advisory lock, so both
-- instances may start at once. Allow both service hosts in pg_hba.conf (scram-sha-256), e.g.:
--   host clicktocall clicktocall 10.0.0.21/32 scram-sha-256
--   host clicktocall clicktocall 10.0.0.22/32 scram-sha-256
CREATE ROLE clicktocall LOGIN PASSWORD 'change-me-openssl-rand-hex-24';
CREATE DATABASE clicktocall OWNER clicktocall;
