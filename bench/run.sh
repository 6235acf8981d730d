#!/usr/bin/env bash
# `make bench` (issue 13): install wrk if missing, start a throwaway PostgreSQL (never the DATABASE_URL of
# the environment: the bench loads a million rows), migrate, load the dataset, then run bench/run.py.
# BENCH_DURATION / BENCH_WARMUP (seconds per path, default 10 / 2) and BENCH_SCALE (default 1, shrinks
# conversations and messages for a quick try) tune it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}

if [ -z "${BENCH_INNER:-}" ]; then
    if ! command -v wrk >/dev/null 2>&1; then
        echo "installing wrk (Debian package)" >&2
        SUDO=""
        [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
    fi
    exec env -u DATABASE_URL BENCH_INNER=1 scripts/with-postgres.sh "$0" "$@"
fi

started=$SECONDS
export DJANGO_SETTINGS_MODULE=bench.settings
export DEBUG=0
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
export TIM_SDKAPPID=1400000000
# Production refuses unsigned callbacks: the bench signs them (bench/run.py writes the Signs for wrk).
TIM_CALLBACK_TOKEN=$("$PY" -c 'import secrets; print(secrets.token_hex(16))')
export TIM_CALLBACK_TOKEN
# Sensitive fields are encrypted at rest (hotline/crypto.py), as in production: fresh keys per run.
FIELD_ENCRYPTION_KEYS=$("$PY" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
FIELD_HASH_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(32))')
export FIELD_ENCRYPTION_KEYS FIELD_HASH_KEY
export SMS_BACKEND=file
export SECURE_SSL_REDIRECT=0  # loopback, plain HTTP
export SMS_FILE_PATH=bench/work/sent_sms.jsonl
export JWT_ACCESS_MINUTES=600
mkdir -p bench/work

echo "migrating" >&2
"$PY" manage.py migrate --noinput -v0
"$PY" -m bench.generate
"$PY" -m bench.run
echo "make bench took $((SECONDS - started)) s after PostgreSQL started" >&2
