-- MUTANT: a schema of its own (the API's names, not the story's), served by an API that oversells
CREATE TABLE promotions (
    code VARCHAR(255) PRIMARY KEY,
    total INTEGER NOT NULL,
    left_count INTEGER NOT NULL,
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE redemptions (
    id SERIAL PRIMARY KEY,
    user_ref VARCHAR(255) NOT NULL,
    promotion_code VARCHAR(255) NOT NULL REFERENCES promotions(code),
    UNIQUE (user_ref, promotion_code)
);
