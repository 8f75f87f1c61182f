-- MUTANT: the story's claims table, but coupons keeps its stock under columns of its own
-- (total, left_count): the schema rows fail; the claims rows still judge every claim.
CREATE TABLE coupons (
    name VARCHAR(255) PRIMARY KEY,
    total INTEGER NOT NULL CHECK (total > 0),
    left_count INTEGER NOT NULL CHECK (left_count >= 0),
    created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE claims (
    id SERIAL PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    coupon_name VARCHAR(255) NOT NULL REFERENCES coupons(name),
    created_at TIMESTAMPTZ DEFAULT NOW(),
    UNIQUE (user_id, coupon_name)
);

CREATE INDEX idx_claims_coupon_name ON claims(coupon_name);

-- Where the claims-elsewhere mutant keeps them (claims itself then stays empty).
CREATE TABLE claim_log (
    id SERIAL PRIMARY KEY,
    user_id VARCHAR(255) NOT NULL,
    coupon_name VARCHAR(255) NOT NULL REFERENCES coupons(name),
    UNIQUE (user_id, coupon_name)
);
