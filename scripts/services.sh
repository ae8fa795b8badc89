#!/usr/bin/env bash
# Make sure what the test suite talks to is installed and running: MariaDB, Redis, RabbitMQ,
# Chromium and the MariaDB client headers mysqlclient builds against.
# Installs with apt-get when missing and starts servers without systemd.
set -euo pipefail

DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-3306}
# Redis: without REDIS_URL the suite starts one of its own (tests/own_redis.py), so redis-server is only
# installed and nothing on 6379 is started or needed; the one REDIS_URL names on loopback is started when down.
REDIS_PORT=
redis_ready="the suite's own"
if [[ "${REDIS_URL:-}" =~ ^redis://([^/@]*@)?(127\.0\.0\.1|localhost)(:([0-9]+))?(/.*)?$ ]]; then
  REDIS_PORT=${BASH_REMATCH[4]:-6379}
  redis_ready="127.0.0.1:$REDIS_PORT"
elif [ -n "${REDIS_URL:-}" ]; then
  redis_ready="of REDIS_URL (not on loopback, not checked)"
fi
# RabbitMQ for the Celery worker tests on it (guest/guest, loopback); CI machines may run their own.
RABBITMQ_PORT=5672

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

need_pkgs=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need_pkgs+=(mariadb-server)
command -v redis-server >/dev/null 2>&1 || need_pkgs+=(redis-server)
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
dpkg -s fonts-wqy-zenhei >/dev/null 2>&1 || need_pkgs+=(fonts-wqy-zenhei)
dpkg -s libmariadb-dev >/dev/null 2>&1 || need_pkgs+=(libmariadb-dev)
command -v pkg-config >/dev/null 2>&1 || need_pkgs+=(pkg-config)
command -v npm >/dev/null 2>&1 || need_pkgs+=(npm)
# nginx -t checks the site file in the suite (tests/test_production_defaults.py); the deploy smoke serves through it.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_pkgs+=(nginx)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "services: installing ${need_pkgs[*]}"
  apt_install "${need_pkgs[@]}"
fi

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if [ -n "$REDIS_PORT" ] && ! port_open 127.0.0.1 "$REDIS_PORT"; then
  echo "services: starting redis-server on $REDIS_PORT"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /tmp --logfile "/tmp/redis-$REDIS_PORT.log"
fi

if [ "$DB_HOST" = 127.0.0.1 ] && ! port_open 127.0.0.1 "$DB_PORT"; then
  datadir=/var/lib/mysql
  if [ ! -d "$datadir/mysql" ]; then
    echo "services: initialising MariaDB in $datadir"
    as_root mkdir -p "$datadir"
    as_root chown -R mysql:mysql "$datadir" 2>/dev/null || true
    as_root mariadb-install-db --user=mysql --datadir="$datadir" --auth-root-authentication-method=normal >/dev/null
  fi
  as_root mkdir -p /run/mysqld
  as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
  echo "services: starting mariadbd on $DB_PORT"
  # With a binary log, so that scripts/replica.sh finds the primary ready to replicate from.
  as_root sh -c "nohup mariadbd --user=mysql --datadir=$datadir --bind-address=127.0.0.1 --port=$DB_PORT \
    --log-bin=mariadb-bin --server-id=1 --binlog-format=ROW --expire-logs-days=1 >/tmp/mariadbd.log 2>&1 &"
fi

if ! port_open 127.0.0.1 "$RABBITMQ_PORT"; then
  if [ ! -x /usr/sbin/rabbitmq-server ]; then
    echo "services: installing rabbitmq-server"
    apt_install rabbitmq-server
  fi
  # Installing may have started it already (init script); else start it without systemd.
  if ! port_open 127.0.0.1 "$RABBITMQ_PORT"; then
    echo "services: starting rabbitmq-server on $RABBITMQ_PORT"
    as_root env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$RABBITMQ_PORT" rabbitmq-server -detached
  fi
fi

for _ in $(seq 1 60); do
  if { [ -z "$REDIS_PORT" ] || port_open 127.0.0.1 "$REDIS_PORT"; } && port_open 127.0.0.1 "$RABBITMQ_PORT" &&
    { [ "$DB_HOST" != 127.0.0.1 ] || port_open 127.0.0.1 "$DB_PORT"; }; then
    break
  fi
  sleep 1
done
[ -z "$REDIS_PORT" ] || port_open 127.0.0.1 "$REDIS_PORT" || { echo "services: Redis did not start" >&2; exit 1; }
port_open 127.0.0.1 "$RABBITMQ_PORT" || { echo "services: RabbitMQ did not start" >&2; exit 1; }

# A fresh MariaDB lets root in over the socket only; let it in over TCP without a password too.
if [ "$DB_HOST" = 127.0.0.1 ]; then
  for _ in $(seq 1 30); do
    mariadb -h 127.0.0.1 -P "$DB_PORT" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
    as_root mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;" >/dev/null 2>&1 || true
    sleep 1
  done
  mariadb -h 127.0.0.1 -P "$DB_PORT" -uroot -e 'SELECT 1' >/dev/null || { echo "services: MariaDB not reachable" >&2; exit 1; }
  mariadb -h 127.0.0.1 -P "$DB_PORT" -uroot -e "CREATE DATABASE IF NOT EXISTS ${DB_NAME:-meiduo_mall} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
fi
echo "services: MariaDB ${DB_HOST}:${DB_PORT}, Redis ${redis_ready} and RabbitMQ 127.0.0.1:${RABBITMQ_PORT} ready"

# The read replica of the test databases (tests/replica/) on 127.0.0.1:${DB_REPLICA_PORT:-3307}.
if [ "$DB_HOST" = 127.0.0.1 ]; then
  DB_PORT=$DB_PORT bash "$(dirname "$0")/replica.sh"
fi
