#!/usr/bin/env bash
# make bench: the shop's hot paths on the production stack, on loopback, each beside bare /health/.
#
#   make bench                 # or: bash scripts/bench/run.sh; BENCH_QUICK=1 for the 3-minute subset
#
# Starts with the repository's own files (scripts/lib/stack.sh, as scripts/deploy_smoke.sh does): Redis on a
# free port, uwsgi with uwsgi.ini and the production settings (scripts/bench/bench_settings.py: prod with the
# embedded search engine), a Celery worker, Debian's nginx with nginx.conf; MariaDB is the server at
# 127.0.0.1:3306, and its replica (scripts/replica.sh) when one replicates and BENCH_DB is a test_* name.
# Seeds BENCH_SKUS SKUs (seed_demo --skus), builds the search index and the pages (each timed, each with a
# time limit), then scripts/bench/bench.py drives the load with wrk and prints the table. Results go to
# bench_results/<timestamp>.json and .png (git-ignored); scripts/bench_compare.py A.json B.json compares two.
#
# Environment (defaults in brackets):
#   BENCH_DB [meiduo_bench; test_meiduo_bench with the replica]  the bench database, kept between runs:
#       a re-run skips seeding; its index, pages and media stay in var/bench/<BENCH_DB>/
#   BENCH_SKUS [100000]   SKUs in the catalog             BENCH_QUICK [0]      1: a subset, 1 round of 3 s
#   BENCH_SECONDS [4]     seconds of each wrk run         BENCH_ROUNDS [3]     interleaved rounds (median)
#   BENCH_CONNECTIONS [16] wrk connections (search: 8)    BENCH_ORDER_MEMBERS [4000] members placing orders
#   BENCH_INDEX_TIMEOUT [190], BENCH_PAGES_TIMEOUT [60]   seconds before the index build / page generation is
#       stopped (the figure then says so); BENCH_REINDEX=1 rebuilds an index a quick run would keep
#   BENCH_DEMO [1; 0 when quick]  also measure the demo's memory (make run)
#   BENCH_REPLICA_WANTED [1]  0 leaves the replica out     BENCH_KEEP [0]  1 keeps the work directory
#   MEIDUO_UWSGI_PROCESSES, MEIDUO_UWSGI_THREADS          uwsgi.ini's own knobs (4 × 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
STACK_TAG=bench
# shellcheck source=scripts/lib/stack.sh
source scripts/lib/stack.sh

QUICK=${BENCH_QUICK:-0}
SKUS=${BENCH_SKUS:-100000}
BENCH_REPLICA=0
if [[ ${BENCH_DB:-test_meiduo_bench} == test_* ]] && stack_replica_wanted "${BENCH_REPLICA_WANTED:-1}"; then
    BENCH_REPLICA=1
    BENCH_DB=${BENCH_DB:-test_meiduo_bench}
fi
BENCH_DB=${BENCH_DB:-meiduo_bench}
# The app's own MariaDB account: its statement counters (USER_STATISTICS) are the SQL of the measured requests.
SQL_USER="b_${BENCH_DB}"
SQL_PASSWORD="bench-${BENCH_DB}"
KEEP=$REPO/var/bench/$BENCH_DB
SRV=$KEEP/srv                  # plays /srv/meiduo: pages, media, static files and the search index
WORK=$(mktemp -d /tmp/meiduo-bench.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$SRV/front_end_pc/goods" "$SRV/var/media" "$SRV/var/static" "$WORK/run"

finish() {
    local status=$?
    stack_stop_started
    if [ "$status" -ne 0 ]; then stack_show_logs; fi
    if [ "${BENCH_KEEP:-}" = 1 ]; then say "work directory kept: $WORK"; else rm -rf "$WORK"; fi
    exit "$status"
}
trap finish EXIT
trap 'exit 130' INT TERM

stack_require_tools
stack_apt_install wrk wrk
[ -f front_end_pc/js/vendor/vue.global.prod.js ] || fail "front_end_pc/js/vendor/ is missing: run make vendor"
# The pages as a deployment has them, refreshed over the kept generated pages.
tar -C front_end_pc --exclude=./node_modules --exclude=./goods --exclude='./*.html' --exclude=./js/host.js -cf - . \
    | tar -C "$SRV/front_end_pc" -xf -

WWW_PORT=$(stack_free_port); API_PORT=$(stack_free_port); ONE_PORT=$(stack_free_port); REDIS_PORT=$(stack_free_port)
stack_run_as

export PYTHONPATH=$REPO/scripts/bench
export DJANGO_SETTINGS_MODULE=bench_settings
stack_environment "$BENCH_DB"
export DEFAULT_FILE_STORAGE_BACKEND=django.core.files.storage.FileSystemStorage
export MEIDUO_UWSGI_SOCKET=$WORK/run/uwsgi.sock
export PYTHONUNBUFFERED=1
export BENCH_WORK=$WORK
# Setup steps and the driver use the administrator account; only the app's workers use SQL_USER.
export DB_USER=root DB_PASSWORD=
if [ "$BENCH_REPLICA" = 1 ]; then export DB_REPLICA_HOST=127.0.0.1 DB_REPLICA_PORT=$REPLICA_PORT; fi
timed() { "$PY" scripts/bench/bench.py timed "$@"; }

stack_start_redis "$REDIS_PORT"

say "database $BENCH_DB (kept between runs) and the app's account $SQL_USER"
stack_database ensure "$BENCH_DB"
app_account() {  # on the server at port $1
    mariadb -h 127.0.0.1 -P "$1" -uroot -e "
        CREATE USER IF NOT EXISTS '$SQL_USER'@'127.0.0.1' IDENTIFIED BY '$SQL_PASSWORD';
        CREATE USER IF NOT EXISTS '$SQL_USER'@'localhost' IDENTIFIED BY '$SQL_PASSWORD';
        GRANT ALL ON \`$BENCH_DB\`.* TO '$SQL_USER'@'127.0.0.1';
        GRANT ALL ON \`$BENCH_DB\`.* TO '$SQL_USER'@'localhost';
        SET GLOBAL userstat = ON;"
}
app_account "${DB_PORT:-3306}"
if [ "$BENCH_REPLICA" = 1 ]; then app_account "$REPLICA_PORT"; fi

timed migrate 600 "$PY" manage.py migrate -v0
timed load_areas 300 "$PY" manage.py load_areas
timed seed 900 "$PY" manage.py seed_demo --skus "$SKUS"
"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py build_pages
"$PY" manage.py write_host_js
if [ "$BENCH_REPLICA" = 1 ]; then
    say "read replica on 127.0.0.1:$REPLICA_PORT: waiting for it to hold the seeded catalog"
    skus() { mariadb -h 127.0.0.1 -P "$1" -uroot -N -e "SELECT COUNT(*) FROM \`$BENCH_DB\`.tb_sku" 2>/dev/null; }
    for _ in $(seq 300); do [ "$(skus "$REPLICA_PORT")" = "$(skus "${DB_PORT:-3306}")" ] && break; sleep 1; done
fi

index_documents() {
    "$PY" manage.py shell -v0 -c "
from haystack.query import SearchQuerySet
print(SearchQuerySet().count())" 2>/dev/null || echo 0
}
if [ "$QUICK" = 1 ] && [ "${BENCH_REINDEX:-0}" != 1 ] && [ "$(index_documents)" -gt 0 ]; then
    say "search index kept (BENCH_REINDEX=1 rebuilds it)"
else
    timed index_build "${BENCH_INDEX_TIMEOUT:-190}" "$PY" manage.py build_search_index --rebuild
fi
timed index_html 300 "$PY" manage.py generate_index_html
if [ "$QUICK" != 1 ]; then
    # Every page once (the rate), then again with nothing changed (only what changed is written: none).
    timed detail_pages "${BENCH_PAGES_TIMEOUT:-60}" "$PY" manage.py regenerate_detail_html --all
    timed detail_pages_unchanged "${BENCH_PAGES_TIMEOUT:-60}" "$PY" manage.py regenerate_detail_html
fi
[ "$RUN_AS" = "$(id -un)" ] || chown -R "$RUN_AS" "$SRV"

STACK_UWSGI_OPTIONS=(
    --env "DJANGO_SETTINGS_MODULE=bench_settings" --pythonpath "$REPO/scripts/bench"
)
DB_USER=$SQL_USER DB_PASSWORD=$SQL_PASSWORD stack_start_uwsgi

say "celery worker"
"$BIN/celery" -A celery_tasks.main worker -l info --concurrency 2 -n "bench@%h" >"$WORK/worker.log" 2>&1 &
CELERY_PID=$!
stack_track "$CELERY_PID"

say "nginx: pages :$WWW_PORT, API :$API_PORT"
"$PY" scripts/deploy_smoke.py nginx-config nginx.conf "$WORK/nginx-site.conf" \
    --root "$SRV" --single-root "$SRV" --socket "$MEIDUO_UWSGI_SOCKET" \
    --port "www.meiduo.site=$WWW_PORT" --port "api.meiduo.site=$API_PORT" --port "meiduo.site=$ONE_PORT"
STACK_NGINX_WORKERS=auto stack_start_nginx "$WORK/nginx-site.conf"
stack_wait_for "the API through nginx" curl -sf "http://127.0.0.1:$API_PORT/health/ready/"

BENCH_API="http://127.0.0.1:$API_PORT" BENCH_WWW="http://127.0.0.1:$WWW_PORT" \
BENCH_UWSGI_PID=$UWSGI_PID BENCH_CELERY_PID=$CELERY_PID BENCH_SQL_USER=$SQL_USER \
BENCH_PAGES_DIR=$SRV/front_end_pc BENCH_QUICK=$QUICK \
    "$PY" scripts/bench/bench.py run
