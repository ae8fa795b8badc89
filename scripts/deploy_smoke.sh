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
REPO=$PWD
PY=$REPO/.venv/bin/python
BIN=$REPO/.venv/bin
# The read replica of scripts/replica.sh (which services.sh starts) when one replicates on 3307: it
# copies the databases named test_%, so the smoke's database is named so; SMOKE_REPLICA=0 skips it.
REPLICA_PORT=${DB_REPLICA_PORT:-3307}
SMOKE_REPLICA=0
if [ "${SMOKE_REPLICA_WANTED:-1}" = 1 ] && mariadb -h 127.0.0.1 -P "$REPLICA_PORT" -uroot -e 'SHOW SLAVE STATUS\G' 2>/dev/null \
    | grep -q 'Slave_SQL_Running: Yes'; then
    SMOKE_REPLICA=1
    SMOKE_DB=${SMOKE_DB:-test_meiduo_smoke}
    export DB_REPLICA_HOST=127.0.0.1 DB_REPLICA_PORT=$REPLICA_PORT
fi
SMOKE_DB=${SMOKE_DB:-meiduo_smoke}
WORK=$(mktemp -d /tmp/meiduo-smoke.XXXXXX)
# nginx's and uwsgi's unprivileged workers read the pages and write uploads below it.
chmod 755 "$WORK"
started=()
smoke_db_created=

say() { printf '[smoke] %s\n' "$*"; }
fail() { printf '[smoke] FAILED: %s\n' "$*" >&2; exit 1; }

stop_all() {
    local status=$?
    if [ -f "$WORK/nginx.pid" ]; then nginx -c "$WORK/nginx-main.conf" -s quit 2>/dev/null || true; fi
    # Last started, first stopped: the workers go before the Redis they talk to.
    local i pid
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do
        pid=${started[i]}
        kill "$pid" 2>/dev/null || continue
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
    if [ "$status" -ne 0 ]; then
        for log in "$WORK"/*.log; do
            [ -f "$log" ] || continue
            printf '\n----- last lines of %s -----\n' "$(basename "$log")" >&2
            tail -n 25 "$log" >&2
        done
    fi
    if [ "${SMOKE_KEEP:-}" = 1 ]; then
        say "work directory kept: $WORK${smoke_db_created:+; database $SMOKE_DB kept}"
    else
        rm -rf "$WORK"
        if [ -n "$smoke_db_created" ]; then smoke_database drop || true; fi
    fi
    exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

smoke_database() {  # create | drop: the smoke's own database on the primary (the replica follows)
    "$PY" - "$1" "$SMOKE_DB" <<'EOF'
import os, sys, MySQLdb
name = sys.argv[2]
connection = MySQLdb.connect(host=os.environ.get("DB_HOST", "127.0.0.1"), port=int(os.environ.get("DB_PORT", "3306")),
                             user=os.environ.get("DB_USER", "root"), password=os.environ.get("DB_PASSWORD", ""))
cursor = connection.cursor()
cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
if sys.argv[1] == "create":
    cursor.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
EOF
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_for() {  # wait_for <what> <command...>: up to 30 s
    local what=$1; shift
    for _ in $(seq 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    fail "$what did not come up"
}

if ! command -v nginx >/dev/null && ! [ -x /usr/sbin/nginx ]; then
    say "installing Debian's nginx"
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null || fail "apt-get install nginx"
fi
PATH=$PATH:/usr/sbin
command -v redis-server >/dev/null || fail "redis-server is not installed (apt-get install -y redis-server)"

# Ports and the deployment's layout ---------------------------------------------------------------
WWW_PORT=$(free_port); API_PORT=$(free_port); ONE_PORT=$(free_port)
REDIS_PORT=$(free_port); ALIPAY_PORT=$(free_port)
SRV=$WORK/srv                  # plays /srv/meiduo
ONE=$WORK/one                  # pages of the single-origin layout (its own js/host.js)
mkdir -p "$SRV/var/media" "$SRV/var/static" "$WORK/alipay" "$WORK/nginx-temp" "$WORK/run"
# The pages as a deployment has them: the checkout's front_end_pc/ with js/vendor/ (make vendor).
[ -f front_end_pc/js/vendor/vue.global.prod.js ] || fail "front_end_pc/js/vendor/ is missing: run make vendor"
cp -r front_end_pc "$SRV/front_end_pc"
# Not deployed: npm's build input, and the demo's generated pages and host.js of this checkout.
rm -rf "$SRV/front_end_pc/node_modules" "$SRV/front_end_pc/index.html" "$SRV/front_end_pc/goods" "$SRV/front_end_pc/js/host.js"
mkdir -p "$SRV/front_end_pc/goods"

# Who the workers run as: uwsgi.ini's uid/gid drop root to an unprivileged account. That account must
# be able to read the interpreter; a Python under /root (pyenv) is not, so then the current user.
RUN_AS=$(id -un)
if [ "$(id -u)" = 0 ]; then
    base_prefix=$("$PY" -c 'import sys; print(sys.base_prefix)')
    if runuser -u www-data -- test -r "$base_prefix/lib/python3.11/os.py" 2>/dev/null \
        && runuser -u www-data -- test -r "$REPO/manage.py" 2>/dev/null; then
        RUN_AS=www-data
        chown -R www-data:www-data "$SRV/var" "$WORK/alipay" "$SRV/front_end_pc"
    else
        say "note: www-data cannot read $base_prefix; uwsgi keeps running as $RUN_AS"
    fi
fi

export DJANGO_SETTINGS_MODULE=meiduo_mall.settings.prod
DJANGO_SECRET_KEY="smoke-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 60)"
export DJANGO_SECRET_KEY
export SECURE_SSL_REDIRECT=false
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export CSRF_TRUSTED_ORIGINS="http://127.0.0.1:$API_PORT,http://127.0.0.1:$ONE_PORT"
export FRONTEND_ORIGIN="http://127.0.0.1:$WWW_PORT"
export API_ORIGIN="http://127.0.0.1:$API_PORT"
export CORS_EXTRA_ORIGINS="http://127.0.0.1:$ONE_PORT"
export DB_NAME=$SMOKE_DB
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
export CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/14"
export MEIDUO_VAR_DIR=$SRV/var
export MEDIA_ROOT=$SRV/var/media
export GENERATED_STATIC_HTML_FILES_DIR=$SRV/front_end_pc
export SMS_BACKEND=meiduo_mall.apps.verifications.sms.console.ConsoleSMSBackend
export EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
export ALIPAY_APP_PRIVATE_KEY_PATH=$WORK/alipay/app_private_key.pem
export ALIPAY_PUBLIC_KEY_PATH=$WORK/alipay/alipay_public_key.pem
export ALIPAY_URL="http://127.0.0.1:$ALIPAY_PORT/payment/sandbox/gateway/"
# The seller the sandbox signs as (payment/sandbox.py), so notices are checked against a seller id.
export ALIPAY_SELLER_ID=2088000000000000
export ALIPAY_NOTIFY_URL="http://127.0.0.1:$API_PORT/payment/notify/"
export MEIDUO_UWSGI_SOCKET=$WORK/run/uwsgi.sock
export MEIDUO_UWSGI_PROCESSES=2 MEIDUO_UWSGI_THREADS=2
export MEIDUO_UWSGI_UID=$RUN_AS MEIDUO_UWSGI_GID=$(id -gn "$RUN_AS")
# nginx's workers connect to the socket: www-data when nginx starts as root, else this user.
if [ "$(id -u)" = 0 ]; then export MEIDUO_UWSGI_SOCKET_GROUP=www-data; else export MEIDUO_UWSGI_SOCKET_GROUP=$(id -gn); fi
export PYTHONUNBUFFERED=1

# Services -------------------------------------------------------------------------------------------
say "redis-server on 127.0.0.1:$REDIS_PORT"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
started+=($!)
wait_for redis redis-cli -p "$REDIS_PORT" ping

say "stand-ins for Elasticsearch and FastDFS"
"$PY" scripts/deploy_smoke.py standins "$WORK/standins.env" >"$WORK/standins.log" 2>&1 &
started+=($!)
wait_for "the stand-ins" test -s "$WORK/standins.env"
# shellcheck disable=SC1091
source "$WORK/standins.env"

say "database $SMOKE_DB on ${DB_HOST:-127.0.0.1}:${DB_PORT:-3306}, migrated and seeded"
smoke_database create
smoke_db_created=1
"$PY" manage.py migrate -v0
# The sandbox's key pairs, made once by the sandbox's own code; production settings only read them.
DJANGO_SETTINGS_MODULE=meiduo_mall.settings.dev "$PY" manage.py shell -v0 -c \
    "from meiduo_mall.apps.payment.keys import ensure_sandbox_keys; ensure_sandbox_keys()"
[ "$RUN_AS" = "$(id -un)" ] || chown -R "$RUN_AS" "$WORK/alipay"
"$PY" manage.py collectstatic --noinput -v0
# The deploy checks on this very configuration; its warnings are those of plain HTTP on loopback.
"$PY" manage.py check --deploy --fail-level ERROR >"$WORK/check-deploy.log" 2>&1 \
    || fail "manage.py check --deploy: $(cat "$WORK/check-deploy.log")"
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
    wait_for "the replica's copy of $SMOKE_DB" test "$(skus "$REPLICA_PORT")" = "$(skus "${DB_PORT:-3306}")"
else
    say "no read replica answers on 127.0.0.1:$REPLICA_PORT: reads use the primary"
fi
[ "$RUN_AS" = "$(id -un)" ] || chown -R "$RUN_AS" "$SRV/var" "$SRV/front_end_pc"

say "uwsgi (uwsgi.ini) as $RUN_AS on $MEIDUO_UWSGI_SOCKET"
"$BIN/uwsgi" --ini uwsgi.ini >"$WORK/uwsgi.log" 2>&1 &
started+=($!)
wait_for uwsgi test -S "$MEIDUO_UWSGI_SOCKET"

say "celery worker and beat"
"$BIN/celery" -A celery_tasks.main worker -l info --concurrency 2 --pool threads -n "smoke@%h" >"$WORK/worker.log" 2>&1 &
started+=($!)
"$BIN/celery" -A celery_tasks.main beat -l info -s "$WORK/celerybeat-schedule" --pidfile "$WORK/beat.pid" >"$WORK/beat.log" 2>&1 &
started+=($!)

say "the Alipay sandbox playing Alipay on 127.0.0.1:$ALIPAY_PORT"
DJANGO_SETTINGS_MODULE=meiduo_mall.settings.dev DJANGO_DEBUG=false SQLITE_PATH="$WORK/alipay.sqlite3" \
    "$BIN/uwsgi" --chdir "$REPO" --module meiduo_mall.wsgi:application --env DJANGO_SETTINGS_MODULE=meiduo_mall.settings.dev \
    --http-socket "127.0.0.1:$ALIPAY_PORT" --master --processes 1 --threads 2 --die-on-term --need-app \
    --single-interpreter --buffer-size 32768 --add-header "Connection: close" \
    >"$WORK/alipay.log" 2>&1 &
started+=($!)

say "nginx: pages :$WWW_PORT + API :$API_PORT (split), both on :$ONE_PORT (single origin)"
"$PY" scripts/deploy_smoke.py nginx-config nginx.conf "$WORK/nginx-site.conf" \
    --root "$SRV" --single-root "$ONE" --socket "$MEIDUO_UWSGI_SOCKET" \
    --port "www.meiduo.site=$WWW_PORT" --port "api.meiduo.site=$API_PORT" --port "meiduo.site=$ONE_PORT"
cat >"$WORK/nginx-main.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user www-data;")
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log $WORK/nginx-access.log;
    client_body_temp_path $WORK/nginx-temp/body;
    proxy_temp_path $WORK/nginx-temp/proxy;
    fastcgi_temp_path $WORK/nginx-temp/fastcgi;
    uwsgi_temp_path $WORK/nginx-temp/uwsgi;
    scgi_temp_path $WORK/nginx-temp/scgi;
    # as in Debian's /etc/nginx/nginx.conf: the site file must not repeat it at this level
    gzip on;
    include $WORK/nginx-site.conf;
}
EOF
nginx -t -q -c "$WORK/nginx-main.conf" -g "daemon on;" 2>"$WORK/nginx-error.log" || fail "nginx -t: $(cat "$WORK/nginx-error.log")"
nginx -c "$WORK/nginx-main.conf"
wait_for nginx test -s "$WORK/nginx.pid"
wait_for "the API through nginx" curl -sf "http://127.0.0.1:$API_PORT/health/ready/"
wait_for "the Alipay sandbox" curl -s -o /dev/null "http://127.0.0.1:$ALIPAY_PORT/health/"

say "checks"
SMOKE_WWW="http://127.0.0.1:$WWW_PORT" SMOKE_API="http://127.0.0.1:$API_PORT" SMOKE_ONE="http://127.0.0.1:$ONE_PORT" \
SMOKE_USER=smoke SMOKE_PASSWORD=smoke12345 SMOKE_REPLICA=$SMOKE_REPLICA SMOKE_UWSGI_PID="${started[2]}" SMOKE_RUN_AS="$RUN_AS" \
    "$PY" scripts/deploy_smoke.py check
say "all checks passed"
