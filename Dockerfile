# The reference API's image (story 1.2 AC3): a builder that installs the dependencies from
# their manifest before any source is copied (so a code change reuses that layer), and a
# runtime that holds only the virtualenv and the code, run as a non-root user.
# The base image is a build arg whose default is the official image, so a registry mirror
# or an air-gapped site can point it elsewhere (--build-arg PYTHON_IMAGE=...).
ARG PYTHON_IMAGE=python:3.11-alpine

FROM ${PYTHON_IMAGE} AS builder
WORKDIR /build
COPY pyproject.toml ./
# The API's dependencies are the `reference` extra of pyproject.toml; tomllib is stdlib.
RUN python3 -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['reference']))" > requirements.txt \
    && python3 -m venv /venv \
    && /venv/bin/pip install --no-cache-dir --requirement requirements.txt
COPY reference_api ./reference_api

FROM ${PYTHON_IMAGE} AS runtime
COPY --from=builder /venv /venv
COPY --from=builder /build/reference_api /app/reference_api
WORKDIR /app
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
EXPOSE 3000
CMD ["python3", "-m", "reference_api"]
