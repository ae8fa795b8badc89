#!/usr/bin/env bash
# Deployment smoke run: the production stack as shipped, on loopback, checked through nginx.
#
#   bash scripts/deploy_smoke.sh          # CI runs it after `make test`
#
# Starts, each on a free 127.0.0.1 port and stopped again on exit: Redis, stand-ins for Elasticsearch
# (tests/fakes/elasticsearch_server.py) and FastDFS (tests/fakes/fastdfs_server.py), uwsgi with
# uwsgi.ini and meiduo_mall.settings.prod, a Celery worker and beat, the built-in Alipay sandbox
# as a separate server playing Alipay (dev settings, sharing the key files), and Debian's nginx with
# nginx.conf (paths, ports and socket substituted) in both layouts: split origins (pages and API on
# two ports) and a single origin (a third port). MariaDB is the server at DB_HOST (127.0.0.1:3306)
# with its own database, dropped and created afresh. The checks are scripts/deploy_smoke.py.
#
# Environment: SMOKE_DB (meiduo_smoke, or test_meiduo_smoke with the replica), DB_HOST/DB_PORT/DB_USER/
# DB_PASSWORD (the MariaDB to use), DB_REPLICA_PORT (3307: the replica of scripts/replica.sh, used
# when it replicates; SMOKE_REPLICA_WANTED=0 leaves it out), SMOKE_KEEP=1 keeps the work directory
# (logs, rendered configs) for a look after a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
STACK_TAG=smoke
# shellcheck source=scripts/lib/stack.sh
source scripts/lib/stack.sh
# The read replica when one replicates: it copies the databases named test_%, so the smoke's database is
# named so; SMOKE_REPLICA_WANTED=0 leaves it out.
SMOKE_REPLICA=0
if stack_replica_wanted "${SMOKE_REPLICA_WANTED:-1}"; then
    SMOKE_REPLICA=1
    SMOKE_DB=${SMOKE_DB:-test_meiduo_smoke}
    export DB_REPLICA_HOST=127.0.0.1 DB_REPLICA_PORT=$REPLICA_PORT
fi
SMOKE_DB=${SMOKE_DB:-meiduo_smoke}
WORK=$(mktemp -d /tmp/meiduo-smoke.XXXXXX)
# nginx's and uwsgi's unprivileged workers read the pages and write uploads below it.
chmod 755 "$WORK"
smoke_db_created=

stop_all() {
    local status=$?
    stack_stop_started
    if [ "$status" -ne 0 ]; then stack_show_logs; fi
    if [ "${SMOKE_KEEP:-}" = 1 ]; then
        say "work directory kept: $WORK${smoke_db_created:+; database $SMOKE_DB kept}"
    else
        rm -rf "$WORK"
        if [ -n "$smoke_db_created" ]; then stack_database drop "$SMOKE_DB" || true; fi
    fi
    exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

stack_require_tools

# Ports and the deployment's layout ---------------------------------------------------------------
WWW_PORT=$(stack_free_port); API_PORT=$(stack_free_port); ONE_PORT=$(stack_free_port)
REDIS_PORT=$(stack_free_port); ALIPAY_PORT=$(stack_free_port)
SRV=$WORK/srv                  # plays /srv/meiduo
ONE=$WORK/one                  # pages of the single-origin layout (its own js/host.js)
mkdir -p "$SRV/var/media" "$SRV/var/static" "$WORK/alipay" "$WORK/nginx-temp" "$WORK/run"
# The pages as a deployment has them: the checkout's front_end_pc/ with js/vendor/ (make vendor); the shop's
# pages are built into it below (build_pages).
[ -f front_end_pc/js/vendor/vue.global.prod.js ] || fail "front_end_pc/js/vendor/ is missing: run make vendor"
cp -r front_end_pc "$SRV/front_end_pc"
# Not deployed: npm's build input, and the pages and host.js built or generated in this checkout.
rm -rf "$SRV/front_end_pc/node_modules" "$SRV/front_end_pc/"*.html "$SRV/front_end_pc/goods" "$SRV/front_end_pc/js/host.js"
mkdir -p "$SRV/front_end_pc/goods"

stack_run_as
[ "$RUN_AS" = "$(id -un)" ] || chown -R www-data:www-data "$SRV/var" "$WORK/alipay" "$SRV/front_end_pc"

export DJANGO_SETTINGS_MODULE=meiduo_mall.settings.prod
stack_environment "$SMOKE_DB"
export CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$API_PORT,http://127.0.0.1:$ONE_PORT"
export CORS_EXTRA_ORIGINS="http://127.0.0.1:$ONE_PORT"
export ALIPAY_APP_PRIVATE_KEY_PATH=$WORK/alipay/app_private_key.pem
export ALIPAY_PUBLIC_KEY_PATH=$WORK/alipay/alipay_public_key.pem
export ALIPAY_URL="http://127.0.0.1:$ALIPAY_PORT/payment/sandbox/gateway/"
# The seller the sandbox signs as (payment/gateways/sandbox.py), so notices are checked against a seller id.
export ALIPAY_SELLER_ID=2088000000000000
export ALIPAY_NOTIFY_URL="http://127.0.0.1:$API_PORT/payment/notify/"
export MEIDUO_UWSGI_SOCKET=$WORK/run/uwsgi.sock
export MEIDUO_UWSGI_PROCESSES=2 MEIDUO_UWSGI_THREADS=2
export PYTHONUNBUFFERED=1

# Services -------------------------------------------------------------------------------------------
stack_start_redis "$REDIS_PORT"

say "stand-ins for Elasticsearch and FastDFS"
"$PY" scripts/deploy_smoke.py standins "$WORK/standins.env" >"$WORK/standins.log" 2>&1 &
stack_track $!
stack_wait_for "the stand-ins" test -s "$WORK/standins.env"
# shellcheck disable=SC1091
source "$WORK/standins.env"

say "database $SMOKE_DB on ${DB_HOST:-127.0.0.1}:${DB_PORT:-3306}, migrated and seeded"
stack_database create "$SMOKE_DB"
smoke_db_created=1
"$PY" manage.py migrate -v0
# The sandbox's key pairs, made once by the sandbox's own code; production settings only read them.
DJANGO_SETTINGS_MODULE=meiduo_mall.settings.dev "$PY" manage.py shell -v0 -c \
    "from meiduo_mall.apps.payment.gateways.keys import ensure_sandbox_keys; ensure_sandbox_keys()"
[ "$RUN_AS" = "$(id -un)" ] || chown -R "$RUN_AS" "$WORK/alipay"
"$PY" manage.py collectstatic --noinput -v0
# The deploy checks on this very configuration; its warnings are those of plain HTTP on loopback.
"$PY" manage.py check --deploy --fail-level ERROR >"$WORK/check-deploy.log" 2>&1 \
    || fail "manage.py check --deploy: $(cat "$WORK/check-deploy.log")"
"$PY" manage.py build_pages
"$PY" manage.py write_host_js
# The single-origin pages are the same files; only js/host.js differs (the page's own origin).
mkdir -p "$ONE/front_end_pc/js"
for entry in "$SRV"/front_end_pc/* "$SRV/front_end_pc/index.html"; do
    [ "$(basename "$entry")" = js ] || ln -s "$entry" "$ONE/front_end_pc/$(basename "$entry")"
done
for entry in "$SRV"/front_end_pc/js/*; do ln -s "$entry" "$ONE/front_end_pc/js/$(basename "$entry")"; done
FRONTEND_ORIGIN="http://127.0.0.1:$ONE_PORT" API_ORIGIN="http://127.0.0.1:$ONE_PORT" \
    "$PY" manage.py write_host_js --pages-dir "$ONE/front_end_pc"
"$PY" manage.py prepare_demo --username smoke --password smoke12345
if [ "$SMOKE_REPLICA" = 1 ]; then
    say "read replica on 127.0.0.1:$REPLICA_PORT: waiting for it to hold the seeded catalog"
    skus() { mariadb -h 127.0.0.1 -P "$1" -uroot -N -e "SELECT COUNT(*) FROM \`$SMOKE_DB\`.tb_sku" 2>/dev/null; }
    stack_wait_for "the replica's copy of $SMOKE_DB" test "$(skus "$REPLICA_PORT")" = "$(skus "${DB_PORT:-3306}")"
else
    say "no read replica answers on 127.0.0.1:$REPLICA_PORT: reads use the primary"
fi
[ "$RUN_AS" = "$(id -un)" ] || chown -R "$RUN_AS" "$SRV/var" "$SRV/front_end_pc"

stack_start_uwsgi

say "celery worker and beat"
"$BIN/celery" -A celery_tasks.main worker -l info --concurrency 2 --pool threads -n "smoke@%h" >"$WORK/worker.log" 2>&1 &
stack_track $!
"$BIN/celery" -A celery_tasks.main beat -l info -s "$WORK/celerybeat-schedule" --pidfile "$WORK/beat.pid" >"$WORK/beat.log" 2>&1 &
stack_track $!

say "the Alipay sandbox playing Alipay on 127.0.0.1:$ALIPAY_PORT"
DJANGO_SETTINGS_MODULE=meiduo_mall.settings.dev DJANGO_DEBUG=false SQLITE_PATH="$WORK/alipay.sqlite3" \
    "$BIN/uwsgi" --chdir "$REPO" --module meiduo_mall.wsgi:application --env DJANGO_SETTINGS_MODULE=meiduo_mall.settings.dev \
    --http-socket "127.0.0.1:$ALIPAY_PORT" --master --processes 1 --threads 2 --die-on-term --need-app \
    --single-interpreter --buffer-size 32768 --add-header "Connection: close" \
    >"$WORK/alipay.log" 2>&1 &
stack_track $!

say "nginx: pages :$WWW_PORT + API :$API_PORT (split), both on :$ONE_PORT (single origin)"
"$PY" scripts/deploy_smoke.py nginx-config nginx.conf "$WORK/nginx-site.conf" \
    --root "$SRV" --single-root "$ONE" --socket "$MEIDUO_UWSGI_SOCKET" \
    --port "www.meiduo.site=$WWW_PORT" --port "api.meiduo.site=$API_PORT" --port "meiduo.site=$ONE_PORT"
stack_start_nginx "$WORK/nginx-site.conf"
stack_wait_for "the API through nginx" curl -sf "http://127.0.0.1:$API_PORT/health/ready/"
stack_wait_for "the Alipay sandbox" curl -s -o /dev/null "http://127.0.0.1:$ALIPAY_PORT/health/"

say "checks"
SMOKE_WWW="http://127.0.0.1:$WWW_PORT" SMOKE_API="http://127.0.0.1:$API_PORT" SMOKE_ONE="http://127.0.0.1:$ONE_PORT" \
SMOKE_USER=smoke SMOKE_PASSWORD=smoke12345 SMOKE_REPLICA=$SMOKE_REPLICA SMOKE_UWSGI_PID="$UWSGI_PID" SMOKE_RUN_AS="$RUN_AS" \
    "$PY" scripts/deploy_smoke.py check
say "all checks passed"
