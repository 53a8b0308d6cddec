-- broker's glossary in PostgreSQL (SPEC §12). Embedded in the binary (src/postgres.rs) and
-- applied at start, under an advisory lock, by the first replica that finds it missing.

-- One row: the glossary's revision, bumped by every change (writers lock this row, so
-- changes are serialised and numbered); replicas serve the highest revision they have seen.
CREATE TABLE broker_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    revision bigint NOT NULL
);
INSERT INTO broker_state (revision) VALUES (0);

-- A concept; a side exists when its definition is not NULL (it may have no terms).
CREATE TABLE concepts (
    id text PRIMARY KEY,
    seq bigserial NOT NULL,          -- glossary order: kept when a concept is replaced
    note text,
    draft boolean NOT NULL DEFAULT false,
    it_definition text,
    marketing_definition text,
    etag text NOT NULL,              -- Concept::etag of the stored content
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text NOT NULL
);

-- Terms of a side, preferred first, with the per-term overrides.
CREATE TABLE terms (
    concept_id text NOT NULL REFERENCES concepts (id) ON DELETE CASCADE,
    side text NOT NULL CHECK (side IN ('it', 'marketing')),
    position integer NOT NULL,
    text text NOT NULL,
    case_sensitive boolean,
    fuzzy boolean,
    pos text CHECK (pos IN ('noun', 'verb')),
    PRIMARY KEY (concept_id, side, position)
);

-- Tags, cues and not_in phrases of a concept, in order.
CREATE TABLE concept_words (
    concept_id text NOT NULL REFERENCES concepts (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('tag', 'cue', 'not_in')),
    position integer NOT NULL,
    text text NOT NULL,
    PRIMARY KEY (concept_id, kind, position)
);

-- Every change: who, when, what, the concept before and after (NULL for none), as JSON in
-- the shape of the API's Concept.
CREATE TABLE audit (
    id bigserial PRIMARY KEY,
    revision bigint NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    action text NOT NULL CHECK (action IN ('upsert', 'delete', 'push', 'import')),
    concept_id text NOT NULL,
    before jsonb,
    after jsonb
);
CREATE INDEX audit_concept ON audit (concept_id, at);
