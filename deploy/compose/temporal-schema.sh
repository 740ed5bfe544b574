#!/bin/sh
# One-shot schema job (admin-tools image), run by docker-compose.yml before the server starts.
# Creates the two databases when missing, then brings both schemas up to the versions this
# admin-tools image ships. Every step is safe to repeat: a second `docker compose up` finds the
# databases there and the schemas current, and changes nothing.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is not set (the PostgreSQL host)}"
: "${POSTGRES_USER:?POSTGRES_USER is not set}"
: "${SQL_PASSWORD:?SQL_PASSWORD is not set (read by temporal-sql-tool)}"
port="${DB_PORT:-5432}"
schema_dir=/etc/temporal/schema/postgresql/v12

sql() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" "$@"
}

# temporal-sql-tool's `create` fails on a database that exists: that one failure is fine.
create_db() {
  if out=$(sql --db "$1" create 2>&1); then
    echo "schema job: created database $1"
  elif printf '%s' "$out" | grep -q 'already exists'; then
    echo "schema job: database $1 is there"
  else
    printf '%s\n' "$out" >&2
    echo "schema job: could not create database $1 on $POSTGRES_SEEDS:$port as $POSTGRES_USER (see above)" >&2
    exit 1
  fi
}

for db in temporal:temporal temporal_visibility:visibility; do
  name=${db%%:*}
  dir=${db##*:}
  create_db "$name"
  sql --db "$name" setup-schema -v 0.0
  sql --db "$name" update-schema -d "$schema_dir/$dir/versioned"
done
echo "schema job: done"
