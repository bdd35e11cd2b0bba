#!/usr/bin/env bash
# Stop a server started by scripts/start-postgres.sh and remove its data: stop-postgres.sh DATADIR
set -uo pipefail
DIR=$1
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
RUN=()
[ "$(id -u)" = 0 ] && RUN=(runuser -u postgres --)
"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null 2>&1
rm -rf "$DIR"
