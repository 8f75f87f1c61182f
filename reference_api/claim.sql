-- One claim in one statement (reference_api/store.py runs it; `nox -s bench` runs it
-- through pgbench, as the baseline of the API's own SQL).
WITH target AS (
    SELECT name FROM coupons WHERE name = %(coupon)s FOR UPDATE
), eligible AS (
    SELECT %(coupon)s <> ALL (SELECT coupon_name FROM claims WHERE user_id = %(user)s) AS ok
), taken AS (
    UPDATE coupons SET remaining_amount = remaining_amount - 1
    FROM target, eligible
    WHERE coupons.name = target.name AND eligible.ok AND coupons.remaining_amount > 0
    RETURNING coupons.name
), inserted AS (
    INSERT INTO claims (user_id, coupon_name) SELECT %(user)s, name FROM taken
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM target),
       (SELECT ok FROM eligible),
       EXISTS (SELECT 1 FROM inserted)
