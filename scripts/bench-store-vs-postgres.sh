#!/usr/bin/env bash
# Durable claims, back to back on this machine: PostgreSQL's canonical claim
# (a temporary Debian PostgreSQL 15 cluster, fsync and synchronous_commit on,
# shared_buffers 1 GB; pgbench -n -c 64 -j 2 -T 10 running one UPDATE ...
# FOR UPDATE SKIP LOCKED per claim on a 1,000,000-row table), then numbot's
# file store bench (1,000 async claimers, every claim fsynced before it is
# acknowledged). Prints both rates and their ratio. Needs root (apt, and
# running the cluster as the postgres user) and the built plugins.
set -euo pipefail
cd "$(dirname "$0")/.."
PG=/usr/lib/postgresql/15/bin
if [ ! -x "$PG/pgbench" ]; then
    echo "== installing PostgreSQL 15 (Debian)" >&2
    apt-get update -qq && apt-get install -y -qq postgresql-15 >/dev/null
fi
mkdir -p target
dir=$(mktemp -d "$PWD/target/pg-anchor.XXXXXX")
trap 'runuser -u postgres -- "$PG/pg_ctl" -D "$dir/data" stop -m immediate >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
chown postgres "$dir"
as_pg() { runuser -u postgres -- "$@"; }
as_pg "$PG/initdb" -D "$dir/data" -A trust -U postgres >/dev/null
as_pg "$PG/pg_ctl" -D "$dir/data" -l "$dir/log" -w start -o \
    "-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c shared_buffers=1GB \
     -c max_connections=100 -c listen_addresses='' -c unix_socket_directories='$dir' -p 5499" >/dev/null
psql() { as_pg "$PG/psql" -q -h "$dir" -p 5499 -U postgres "$@"; }
psql -c "CREATE DATABASE bench" >/dev/null
psql -d bench <<'SQL' >/dev/null
CREATE TABLE numbers (
    id bigserial PRIMARY KEY,
    number text NOT NULL UNIQUE,
    category text NOT NULL,
    holder bigint,
    claimed_at timestamptz
);
INSERT INTO numbers (number, category)
    SELECT '+4474' || lpad(g::text, 8, '0'), 'Pool' FROM generate_series(1, 1000000) g;
CREATE INDEX free_by_category ON numbers (category, id) WHERE holder IS NULL;
VACUUM ANALYZE numbers;
SQL
cat > "$dir/claim.sql" <<'SQL'
\set user random(1, 1000000000)
\set r random(1, 1000000)
UPDATE numbers SET holder = :user, claimed_at = now() WHERE id = (SELECT id FROM numbers WHERE category = 'Pool' AND holder IS NULL AND id >= :r ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING number;
SQL
chown postgres "$dir/claim.sql"
echo "== PostgreSQL: pgbench -n -c 64 -j 2 -T 10" >&2
pg_out=$(as_pg "$PG/pgbench" -n -c 64 -j 2 -T 10 -f "$dir/claim.sql" -h "$dir" -p 5499 -U postgres bench 2>&1)
pg_tps=$(printf '%s\n' "$pg_out" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
pg_lat=$(printf '%s\n' "$pg_out" | sed -n 's/^latency average = \(.*\)/\1/p' | head -1)
# PostgreSQL is stopped (its shutdown checkpoint written) before numbot
# runs: its checkpointer flushing the run's dirty pages would otherwise
# share the disk with numbot's fsyncs.
as_pg "$PG/pg_ctl" -D "$dir/data" -w stop -m fast >/dev/null
sync
echo "== numbot: cargo bench -p numbot-tests --bench store -- claims" >&2
nb_out=$(cargo bench -q -p numbot-tests --bench store -- claims 2>/dev/null)
printf '%s\n' "$nb_out"
nb_rate=$(printf '%s\n' "$nb_out" | grep -m1 'tokio tasks' | sed -n 's/.*| \([0-9]*\) claims\/s.*/\1/p')
echo
echo "| same run | claims/s |"
echo "| --- | --- |"
echo "| PostgreSQL 15, pgbench, 64 clients (latency average $pg_lat) | $pg_tps |"
echo "| numbot file store, 1,000 async claimers | $nb_rate |"
awk -v a="$nb_rate" -v b="$pg_tps" 'BEGIN { if (b > 0) printf "\nratio: numbot / PostgreSQL = %.1fx\n", a / b }'
