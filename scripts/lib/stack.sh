# shellcheck shell=bash
# The production stack on loopback, as scripts/deploy_smoke.sh and scripts/bench/run.sh start it.
#
# Source it from the checkout's root after setting STACK_TAG (the prefix of messages), and WORK (a scratch
# directory) before starting anything. Every process started through stack_track is stopped, last first,
# by stack_stop_started.

REPO=$PWD
# The read replica of scripts/replica.sh (which services.sh starts).
REPLICA_PORT=${DB_REPLICA_PORT:-3307}
PY=$REPO/.venv/bin/python
BIN=$REPO/.venv/bin
started=()

say() { printf '[%s] %s\n' "$STACK_TAG" "$*"; }
fail() { printf '[%s] FAILED: %s\n' "$STACK_TAG" "$*" >&2; exit 1; }

stack_track() { started+=("$1"); }

stack_free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

stack_wait_for() {  # stack_wait_for <what> <command...>: up to 30 s
    local what=$1; shift
    for _ in $(seq 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    fail "$what did not come up"
}

stack_as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

stack_apt_install() {  # stack_apt_install <command> <package>: installs the Debian package when the command is missing
    command -v "$1" >/dev/null || [ -x "/usr/sbin/$1" ] && return 0
    say "installing Debian's $2"
    stack_as_root apt-get update -qq
    stack_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null || fail "apt-get install $2"
}

stack_require_tools() {  # nginx (installed when missing) and redis-server (scripts/services.sh installs it)
    stack_apt_install nginx nginx
    PATH=$PATH:/usr/sbin
    command -v redis-server >/dev/null || fail "redis-server is not installed (apt-get install -y redis-server)"
}

stack_replica_replicates() {  # the replica of scripts/replica.sh answers on port $1 and replicates
    mariadb -h 127.0.0.1 -P "$1" -uroot -e 'SHOW SLAVE STATUS\G' 2>/dev/null | grep -q 'Slave_SQL_Running: Yes'
}

stack_environment() {  # stack_environment <database>: what the shop reads on this stack, from WWW_PORT, API_PORT,
    # REDIS_PORT and SRV (the served copy of the checkout); SMS and mail are printed, never sent
    DJANGO_SECRET_KEY="$STACK_TAG-$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 60)"
    export DJANGO_SECRET_KEY SECURE_SSL_REDIRECT=false DJANGO_ALLOWED_HOSTS=127.0.0.1
    # The smoke run checks that Swagger UI's assets come through nginx.
    export API_DOCS_PUBLIC=true
    export FRONTEND_ORIGIN="http://127.0.0.1:$WWW_PORT" API_ORIGIN="http://127.0.0.1:$API_PORT"
    export DB_NAME=$1 REDIS_URL="redis://127.0.0.1:$REDIS_PORT" CELERY_BROKER_URL="redis://127.0.0.1:$REDIS_PORT/14"
    export MEIDUO_VAR_DIR=$SRV/var MEDIA_ROOT=$SRV/var/media GENERATED_STATIC_HTML_FILES_DIR=$SRV/front_end_pc
    export SMS_BACKEND=meiduo_mall.apps.verifications.sms.console.ConsoleSMSBackend
    export EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
}

stack_replica_wanted() {  # stack_replica_wanted <0|1>: asked for, and the replica replicates on $REPLICA_PORT
    [ "$1" = 1 ] && stack_replica_replicates "$REPLICA_PORT"
}

stack_database() {  # stack_database create|ensure|drop <name>: a database on the primary (the replica follows),
    # as STACK_DB_ADMIN_USER/_PASSWORD when the app's own DB_USER may not create databases
    "$PY" - "$1" "$2" <<'EOF'
import os, sys, MySQLdb
action, name = sys.argv[1], sys.argv[2]
connection = MySQLdb.connect(host=os.environ.get("DB_HOST", "127.0.0.1"), port=int(os.environ.get("DB_PORT", "3306")),
                             user=os.environ.get("STACK_DB_ADMIN_USER") or os.environ.get("DB_USER", "root"),
                             password=os.environ.get("STACK_DB_ADMIN_PASSWORD") or os.environ.get("DB_PASSWORD", ""))
cursor = connection.cursor()
if action != "ensure":
    cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
if action != "drop":
    cursor.execute(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
EOF
}

stack_run_as() {
    # Who the workers run as: uwsgi.ini's uid/gid drop root to an unprivileged account. That account must
    # be able to read the interpreter; a Python under /root (pyenv) is not, so then the current user.
    RUN_AS=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        local base_prefix
        base_prefix=$("$PY" -c 'import sys; print(sys.base_prefix)')
        if runuser -u www-data -- test -r "$base_prefix/lib/python3.11/os.py" 2>/dev/null \
            && runuser -u www-data -- test -r "$REPO/manage.py" 2>/dev/null; then
            RUN_AS=www-data
        else
            say "note: www-data cannot read $base_prefix; uwsgi keeps running as $RUN_AS"
        fi
    fi
    export MEIDUO_UWSGI_UID=$RUN_AS MEIDUO_UWSGI_GID
    MEIDUO_UWSGI_GID=$(id -gn "$RUN_AS")
    # nginx's workers connect to the socket: www-data when nginx starts as root, else this user.
    export MEIDUO_UWSGI_SOCKET_GROUP=www-data
    if [ "$(id -u)" != 0 ]; then MEIDUO_UWSGI_SOCKET_GROUP=$(id -gn); fi
}

stack_start_redis() {  # stack_start_redis <port>
    say "redis-server on 127.0.0.1:$1"
    redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
    stack_track $!
    stack_wait_for redis redis-cli -p "$1" ping
}

STACK_UWSGI_OPTIONS=()  # uwsgi options after uwsgi.ini's, which they override

stack_start_uwsgi() {  # uwsgi.ini as shipped, on $MEIDUO_UWSGI_SOCKET
    say "uwsgi (uwsgi.ini) as $RUN_AS on $MEIDUO_UWSGI_SOCKET"
    "$BIN/uwsgi" --ini "$REPO/uwsgi.ini" "${STACK_UWSGI_OPTIONS[@]}" >"$WORK/uwsgi.log" 2>&1 &
    UWSGI_PID=$!
    stack_track "$UWSGI_PID"
    stack_wait_for uwsgi test -S "$MEIDUO_UWSGI_SOCKET"
}

stack_start_nginx() {  # stack_start_nginx <rendered site file>: Debian's nginx with that site, as a daemon
    mkdir -p "$WORK/nginx-temp"
    cat >"$WORK/nginx-main.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user www-data;")
worker_processes ${STACK_NGINX_WORKERS:-1};
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log ${STACK_NGINX_ACCESS_LOG:-$WORK/nginx-access.log};
    client_body_temp_path $WORK/nginx-temp/body;
    proxy_temp_path $WORK/nginx-temp/proxy;
    fastcgi_temp_path $WORK/nginx-temp/fastcgi;
    uwsgi_temp_path $WORK/nginx-temp/uwsgi;
    scgi_temp_path $WORK/nginx-temp/scgi;
    # as in Debian's /etc/nginx/nginx.conf: the site file must not repeat it at this level
    gzip on;
    include $1;
}
EOF
    nginx -t -q -c "$WORK/nginx-main.conf" -g "daemon on;" 2>"$WORK/nginx-error.log" || fail "nginx -t: $(cat "$WORK/nginx-error.log")"
    nginx -c "$WORK/nginx-main.conf"
    stack_wait_for nginx test -s "$WORK/nginx.pid"
}

stack_stop_started() {  # nginx, then every tracked process, last started first
    if [ -f "$WORK/nginx.pid" ]; then nginx -c "$WORK/nginx-main.conf" -s quit 2>/dev/null || true; fi
    # Last started, first stopped: the workers go before the Redis they talk to.
    local i pid
    for ((i = ${#started[@]} - 1; i >= 0; i--)); do
        pid=${started[i]}
        kill "$pid" 2>/dev/null || continue
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    done
}

stack_show_logs() {  # the last lines of every log in $WORK, after a failure
    local log
    for log in "$WORK"/*.log; do
        [ -f "$log" ] || continue
        printf '\n----- last lines of %s -----\n' "$(basename "$log")" >&2
        tail -n 25 "$log" >&2
    done
}
