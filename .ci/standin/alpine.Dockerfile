# Stand-in for alpine:* where no registry answers: the stand-in base, whose `apk` accepts
# only what it already has (ca-certificates).
FROM coupon-standin/base:bookworm
COPY apk /sbin/apk
