#!/usr/bin/env bash
# Run a command against PostgreSQL. With DATABASE_URL set, use it as is. Otherwise start a throwaway
# cluster with the system's initdb/pg_ctl (installing Debian's postgresql when missing) on a free
# loopback port, as a non-root user when run as root, and remove it when the command ends.
set -euo pipefail

if [ -n "${DATABASE_URL:-}" ]; then
    exec "$@"
fi

find_pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
        fi
    done | sort -V | tail -n 1
}

PG_BIN=$(find_pg_bin)
if [ -z "$PG_BIN" ]; then
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        PG_BIN=$(dirname "$(command -v initdb)")
    else
        echo "PostgreSQL server binaries not found; installing Debian's postgresql package" >&2
        SUDO=""
        [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
        PG_BIN=$(find_pg_bin)
    fi
fi
[ -n "$PG_BIN" ] || { echo "could not find initdb/pg_ctl" >&2; exit 1; }

RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
    PG_USER=postgres
    if ! id "$PG_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin hotlinepg 2>/dev/null || true
        PG_USER=hotlinepg
    fi
    if command -v runuser >/dev/null 2>&1; then
        RUN_AS=(runuser -u "$PG_USER" --)
    else
        RUN_AS=(su -s /bin/sh "$PG_USER" -c)
    fi
fi

run_pg() {
    if [ ${#RUN_AS[@]} -eq 0 ]; then
        "$@"
    elif [ "${RUN_AS[0]}" = "su" ]; then
        "${RUN_AS[@]}" "$(printf '%q ' "$@")"
    else
        "${RUN_AS[@]}" "$@"
    fi
}

PG_DIR=$(mktemp -d /tmp/hotline-pg.XXXXXX)
chmod 755 "$PG_DIR"
[ "$(id -u)" -eq 0 ] && chown "$PG_USER" "$PG_DIR"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
    run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
trap cleanup EXIT INT TERM

run_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null \
    || run_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
run_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
    -o "-p $PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; exit 1; }

export DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "throwaway PostgreSQL on 127.0.0.1:$PORT ($PG_DIR)" >&2
set +e
"$@"
status=$?
set -e
exit $status
