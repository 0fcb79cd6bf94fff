# Starts a throw-away PostgreSQL cluster on 127.0.0.1:$PGPORT owned by the postgres user, with a login
# opsassistant/opsassistant and an empty database opsassistant_test. Sourced by .ci/run.
PGPORT=${PGPORT:-55432}
start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  local dir=/tmp/opsassistant-pg
  if ! su postgres -c "$bin/pg_ctl -D $dir status" >/dev/null 2>&1; then
    rm -rf "$dir"
    mkdir -p "$dir" && chown postgres "$dir"
    su postgres -c "$bin/initdb -D $dir -A trust -U postgres" >/dev/null
    su postgres -c "$bin/pg_ctl -D $dir -l $dir/log -o '-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200' -w start" >/dev/null
  fi
  su postgres -c "psql -h 127.0.0.1 -p $PGPORT -U postgres -tc \"SELECT 1 FROM pg_roles WHERE rolname='opsassistant'\"" | grep -q 1 ||
    su postgres -c "psql -h 127.0.0.1 -p $PGPORT -U postgres -c \"CREATE ROLE opsassistant LOGIN SUPERUSER PASSWORD 'opsassistant'\"" >/dev/null
  su postgres -c "psql -h 127.0.0.1 -p $PGPORT -U postgres -tc \"SELECT 1 FROM pg_database WHERE datname='opsassistant_test'\"" | grep -q 1 ||
    su postgres -c "psql -h 127.0.0.1 -p $PGPORT -U postgres -c 'CREATE DATABASE opsassistant_test OWNER opsassistant'" >/dev/null
  export PGPORT
}
