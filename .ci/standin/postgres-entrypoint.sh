#!/bin/bash
# Stand-in for the official postgres image's entrypoint, keeping its contract:
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, /docker-entrypoint-initdb.d/*.sql run
# once (as the postgres user, so a file it cannot read fails as it would there), then
# `postgres` in the foreground listening on all interfaces, pg_isready on the PATH.
set -euo pipefail
export PGDATA=${PGDATA:-/var/lib/postgresql/data}

if [ "${1:-}" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set, as in the official image}"
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  initdb --pgdata="$PGDATA" --username="$user" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --no-locale
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait start
  psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username="$user")
  if [ "$db" != postgres ]; then
    "${psql[@]}" --dbname=postgres --set=db="$db" <<< 'CREATE DATABASE :"db";'
  fi
  for file in /docker-entrypoint-initdb.d/*; do
    case "$file" in
      *.sql) echo "running $file"; "${psql[@]}" --dbname="$db" -f "$file" ;;
      *.sh) echo "running $file"; . "$file" ;;
    esac
  done
  pg_ctl --pgdata="$PGDATA" --mode=fast --wait stop
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
