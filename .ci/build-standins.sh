#!/usr/bin/env bash
# Builds stand-ins for the official base images where no container registry answers:
# one Debian bookworm root filesystem from Debian's packages (debootstrap, ~2 minutes),
# imported as an image, and from it
#   coupon-standin/postgres:15   in place of postgres:15-alpine (same entrypoint contract)
#   coupon-standin/python:3.11   in place of python:3.11-alpine
#   coupon-standin/golang:1.19   in place of golang:1.24-alpine (Debian's Go, for the Go
#                                fixture; its apt-get reaches Debian's mirror, ~40 s)
#   coupon-standin/alpine:3.21   in place of alpine:3.21 (its `apk` only accepts
#                                ca-certificates, which it already has)
# Both carry the label org.coupon-acceptance.stand-in, by which the suite knows to skip the
# checks a stand-in makes meaningless (that the image is Alpine). They trust this machine's
# CA bundle, so pip inside a build reaches the package index through its TLS proxy.
# Idempotent: images that exist are kept. Use: .ci/build-standins.sh; then
#   export POSTGRES_IMAGE=coupon-standin/postgres:15 PYTHON_IMAGE=coupon-standin/python:3.11
#   export GO_IMAGE=coupon-standin/golang:1.19 ALPINE_IMAGE=coupon-standin/alpine:3.21
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=coupon-standin/base:bookworm
label=org.coupon-acceptance.stand-in
mirror=${DEBIAN_MIRROR:-$("$here/debian-archive.sh")}
ca_bundle=/etc/ssl/certs/ca-certificates.crt

exists() { docker image inspect "$1" > /dev/null 2>&1; }

if ! exists "$base"; then
  command -v debootstrap > /dev/null || {
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
  }
  rootfs=$(mktemp -d /var/tmp/coupon-standin-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  echo "debootstrap bookworm into $rootfs (PostgreSQL 15, Python 3.11) ..."
  debootstrap --variant=minbase \
    --include=ca-certificates,postgresql-15,python3,python3-venv,python-is-python3 \
    bookworm "$rootfs" "$mirror" > "$rootfs.log" 2>&1 || { tail -20 "$rootfs.log"; exit 1; }
  [ -f "$ca_bundle" ] && cp "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import \
    --change "LABEL $label=debian-bookworm" \
    --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change "ENV PIP_CERT=$ca_bundle SSL_CERT_FILE=$ca_bundle" \
    - "$base"
  rm -f "$rootfs.log"
fi

exists coupon-standin/python:3.11 || docker tag "$base" coupon-standin/python:3.11
exists coupon-standin/postgres:15 || docker build -q -t coupon-standin/postgres:15 \
  -f "$here/standin/postgres.Dockerfile" "$here/standin"
for standin in golang:1.19 alpine:3.21; do
  exists "coupon-standin/$standin" || docker build -q -t "coupon-standin/$standin" \
    -f "$here/standin/${standin%%:*}.Dockerfile" "$here/standin"
done
docker image ls --filter "label=$label"
