-- Up Migration

-- Open311 GeoReport v2 intake (delivery.md): the reportable services kept by admins, each mapped to a
-- matter of the catalog; API keys bound to an upstream identity and county; the requests opened.

CREATE TABLE open311_services (
  service_code text PRIMARY KEY,
  service_name text NOT NULL,
  description  text NOT NULL,
  -- GeoReport `group`: the matter's domain (urban_management, ecology, …)
  group_name   text NOT NULL,
  matter_code  text NOT NULL REFERENCES matters (code),
  keywords     text[] NOT NULL DEFAULT '{}',
  -- GeoReport attributes: [{code, datatype, required, description, order, values: [{key, name}]}]
  attributes   jsonb NOT NULL DEFAULT '[]',
  service_notice text,
  active       boolean NOT NULL DEFAULT true,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text NOT NULL
);

-- Keys are stored as SHA-256 digests: the key itself is shown once, when issued.
CREATE TABLE open311_api_keys (
  id             text PRIMARY KEY,
  key_digest     text NOT NULL UNIQUE,
  upstream_sub   text NOT NULL,
  county_code    text NOT NULL REFERENCES counties (code),
  township_codes text[],
  description    text,
  issued_by      text NOT NULL,
  issued_at      timestamptz NOT NULL DEFAULT now(),
  revoked_at     timestamptz
);

-- One row per case opened through Open311 (service_request_id = case_id).
CREATE TABLE open311_requests (
  case_id        text PRIMARY KEY,
  service_code   text NOT NULL REFERENCES open311_services (service_code),
  api_key_id     text NOT NULL REFERENCES open311_api_keys (id),
  lat            double precision,
  lng            double precision,
  address_string text,
  attributes     jsonb NOT NULL DEFAULT '{}',
  media_url      text,
  requested_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX open311_requests_requested ON open311_requests (requested_at DESC, case_id);

-- Down Migration
DROP TABLE open311_requests;
DROP TABLE open311_api_keys;
DROP TABLE open311_services;
