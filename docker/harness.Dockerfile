# The harness as an image: the coupon-acceptance command with Docker's CLI and compose v2
# (for `acceptance`, through the host's Docker socket) and PostgreSQL 15 (for `contract` on
# the embedded stack). Built from the wheel, so it runs exactly what `pip install` gives:
#   python -m build && docker build -f docker/harness.Dockerfile -t coupon-acceptance dist
# The base is a build argument so that a mirror or a stand-in can take its place; it must be
# Debian bookworm with Python 3.11 (python:3.11-slim-bookworm, or .ci's stand-in).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

# compose v2 and the CLI alone (without the engine) are in trixie, not bookworm: taken from
# the same archive as the image's own apt sources, pinned low so that nothing else comes
# from trixie.
RUN set -eu; export DEBIAN_FRONTEND=noninteractive; \
    apt-get update -q; \
    archive=$(apt-get indextargets --format '$(REPO_URI)' "Codename: bookworm" | sort -u | head -1); \
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: %s\n' \
        "${archive%/}" /usr/share/keyrings/debian-archive-keyring.gpg \
        > /etc/apt/sources.list.d/coupon-trixie.sources; \
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' \
        > /etc/apt/preferences.d/coupon-trixie; \
    apt-get update -q; \
    apt-get install -y -q --no-install-recommends ca-certificates postgresql-15; \
    apt-get install -y -q --no-install-recommends -t trixie docker-cli docker-compose; \
    rm -rf /var/lib/apt/lists/*

COPY coupon_acceptance-*.whl /tmp/
RUN set -eu; python3 -m venv /opt/coupon-acceptance; \
    wheel=$(ls /tmp/coupon_acceptance-*.whl); \
    /opt/coupon-acceptance/bin/pip install --no-cache-dir --disable-pip-version-check \
        "${wheel}[reference,load]"; \
    rm "$wheel"
ENV PATH=/opt/coupon-acceptance/bin:$PATH
ENTRYPOINT ["coupon-acceptance"]
CMD ["--help"]
