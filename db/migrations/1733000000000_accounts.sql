-- Up Migration

-- People who sign in to the workbench (web console). Machine clients keep their HS256 tokens.
-- The unit columns carry the same codes as the API's claims (api/claims.ts): a township officer
-- needs county_code + township_code, a county department county_code + department_code.
CREATE TABLE accounts (
  username text PRIMARY KEY CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  display_name text NOT NULL,
  password_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('township', 'county', 'supervisor', 'admin')),
  county_code text REFERENCES counties (code),
  township_code text REFERENCES townships (code),
  department_code text REFERENCES departments (code),
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  password_changed_at timestamptz NOT NULL DEFAULT now(),
  CHECK (role <> 'township' OR (county_code IS NOT NULL AND township_code IS NOT NULL)),
  CHECK (role <> 'county' OR (county_code IS NOT NULL AND department_code IS NOT NULL))
);

-- A session is a random secret in an HttpOnly cookie; only its SHA-256 is stored, so a leaked
-- table does not sign anyone in. Signing out (or a password reset) revokes it.
CREATE TABLE sessions (
  id_hash text PRIMARY KEY,
  username text NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_username ON sessions (username);

-- Failed sign-ins, counted per username and client address over a sliding window.
CREATE TABLE sign_in_failures (
  id bigserial PRIMARY KEY,
  username text NOT NULL,
  ip text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (username, ip, at);

-- Down Migration
DROP TABLE sign_in_failures;
DROP TABLE sessions;
DROP TABLE accounts;
