# Stand-in for golang:*-alpine where no registry answers: Debian's Go (1.19) and the C
# toolchain cgo uses, on the stand-in base. GOPROXY=off: modules cannot be downloaded here,
# so what it builds uses the standard library only.
FROM coupon-standin/base:bookworm
RUN apt-get update -q \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
       golang-go gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
ENV GOPROXY=off GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
