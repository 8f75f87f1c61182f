# MUTANT: one stage: the build tools ship in the runtime image
ARG PYTHON_IMAGE=python:3.11-alpine
FROM ${PYTHON_IMAGE}
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir fastapi uvicorn "psycopg[binary,pool]"
COPY reference_api ./reference_api
USER 10001:10001
EXPOSE 3000
CMD ["python3", "-m", "reference_api"]
