#!/usr/bin/env bash
# A local MariaDB read replica of the test databases, for the suite and for developers:
# a second mariadbd on 127.0.0.1:$DB_REPLICA_PORT (3307) replicating, by GTID, the databases named
# like $REPLICA_DATABASES (test_*) from the primary on 127.0.0.1:$DB_PORT (3306).
#
#   scripts/replica.sh [start]   binary log on the primary (restarts it once if it runs without),
#                                seed the replica with a dump of the test databases, start replicating
#   scripts/replica.sh status    binary log of the primary, replication threads, lag
#   scripts/replica.sh stop      stop the replica server (the primary keeps running)
#
# Idempotent: when the replica already replicates, `start` only reports the status.
set -euo pipefail

DB_PORT=${DB_PORT:-3306}
DB_REPLICA_PORT=${DB_REPLICA_PORT:-3307}
REPLICA_DATADIR=${REPLICA_DATADIR:-/var/lib/mysql-replica}
REPLICA_DATABASES=${REPLICA_DATABASES:-test\\_%}
REPL_USER=${REPL_USER:-meiduo_repl}
REPL_PASSWORD=${REPL_PASSWORD:-meiduo_repl}
RUN_DIR=/run/mysqld
SOCKET=$RUN_DIR/replica-$DB_REPLICA_PORT.sock
PID_FILE=$RUN_DIR/replica-$DB_REPLICA_PORT.pid
LOG=$REPLICA_DATADIR/replica.err
# scripts/services.sh starts a missing primary with the same flags.
PRIMARY_BINLOG_FLAGS=(--log-bin=mariadb-bin --server-id=1 --binlog-format=ROW --expire-logs-days=1)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
primary() { mariadb -h 127.0.0.1 -P "$DB_PORT" -uroot "$@"; }
replica() { mariadb -h 127.0.0.1 -P "$DB_REPLICA_PORT" -uroot "$@"; }
answers() { mariadb -h 127.0.0.1 -P "$1" -uroot -e 'SELECT 1' >/dev/null 2>&1; }
wait_for() {
  local what=$1 tries=$2
  shift 2
  for _ in $(seq 1 "$tries"); do
    "$@" && return 0
    sleep 0.5
  done
  echo "replica: $what" >&2
  return 1
}
slave_field() { replica -e 'SHOW SLAVE STATUS\G' 2>/dev/null | sed -n "s/^ *$1: //p"; }
replicating() { [ "$(slave_field Slave_IO_Running)" = Yes ] && [ "$(slave_field Slave_SQL_Running)" = Yes ]; }
port_closed() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

status() {
  echo "replica: primary 127.0.0.1:$DB_PORT log_bin=$(primary -N -e 'SELECT @@log_bin' 2>/dev/null || echo down)" \
    "gtid_binlog_pos=$(primary -N -e 'SELECT @@gtid_binlog_pos' 2>/dev/null)"
  if answers "$DB_REPLICA_PORT"; then
    echo "replica: replica 127.0.0.1:$DB_REPLICA_PORT io=$(slave_field Slave_IO_Running)" \
      "sql=$(slave_field Slave_SQL_Running) behind=$(slave_field Seconds_Behind_Master)s" \
      "gtid_slave_pos=$(replica -N -e 'SELECT @@gtid_slave_pos')"
    local error
    error=$(slave_field Last_Error)
    [ -z "$error" ] || echo "replica: last error: $error"
  else
    echo "replica: replica 127.0.0.1:$DB_REPLICA_PORT not running"
  fi
}

# log_bin cannot be switched on at run time: a primary started without it is restarted once, on
# the same data directory, with the flags above.
ensure_primary_binlog() {
  wait_for "primary 127.0.0.1:$DB_PORT not reachable (run scripts/services.sh)" 20 answers "$DB_PORT"
  [ "$(primary -N -e 'SELECT @@log_bin')" = 1 ] && return 0
  local datadir pid_file socket
  datadir=$(primary -N -e 'SELECT @@datadir')
  pid_file=$(primary -N -e 'SELECT @@pid_file')
  socket=$(primary -N -e 'SELECT @@socket')
  echo "replica: restarting the primary with a binary log"
  primary -e 'SHUTDOWN'
  wait_for "primary did not stop" 120 test ! -e "$pid_file"
  as_root mkdir -p "$RUN_DIR"
  as_root chown mysql:mysql "$RUN_DIR" 2>/dev/null || true
  as_root setsid nohup mariadbd --user=mysql --datadir="$datadir" --socket="$socket" --pid-file="$pid_file" \
    --bind-address=127.0.0.1 --port="$DB_PORT" "${PRIMARY_BINLOG_FLAGS[@]}" >>/tmp/mariadbd.log 2>&1 </dev/null &
  wait_for "primary did not come back (see /tmp/mariadbd.log)" 120 answers "$DB_PORT"
}

start_replica_server() {
  answers "$DB_REPLICA_PORT" && return 0
  if [ ! -d "$REPLICA_DATADIR/mysql" ]; then
    echo "replica: initialising $REPLICA_DATADIR"
    as_root mkdir -p "$REPLICA_DATADIR"
    as_root chown mysql:mysql "$REPLICA_DATADIR"
    as_root mariadb-install-db --no-defaults --user=mysql --datadir="$REPLICA_DATADIR" \
      --auth-root-authentication-method=normal --skip-test-db >/dev/null
  fi
  as_root mkdir -p "$RUN_DIR"
  as_root chown mysql:mysql "$RUN_DIR" 2>/dev/null || true
  echo "replica: starting mariadbd on $DB_REPLICA_PORT"
  # The replica only ever holds copies of test databases, so it trades durability for speed and
  # applies row events idempotently: a seed dump taken while other suites truncate their tables
  # must not stop replication of the database the suite reads.
  as_root setsid nohup mariadbd --no-defaults --user=mysql --datadir="$REPLICA_DATADIR" \
    --bind-address=127.0.0.1 --port="$DB_REPLICA_PORT" --socket="$SOCKET" --pid-file="$PID_FILE" \
    --log-error="$LOG" --skip-name-resolve --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --server-id=2 --read-only --relay-log=replica-relay-bin --replicate-wild-do-table="$REPLICA_DATABASES.%" \
    --slave-exec-mode=IDEMPOTENT --skip-slave-start --innodb-flush-log-at-trx-commit=2 \
    --innodb-buffer-pool-size=64M --performance-schema=OFF >/dev/null 2>&1 </dev/null &
  wait_for "replica did not start (see $LOG)" 120 test -S "$SOCKET"
  # Over TCP like the primary: root from 127.0.0.1 without a password (a fresh datadir allows the socket only).
  wait_for "replica refuses root on its socket" 20 as_root mariadb --socket="$SOCKET" -uroot -e \
    "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION"
}

# A consistent dump of the test databases carries the GTID it was taken at (gtid_slave_pos);
# replication continues from there, so databases made before the replica existed are on it too.
seed_and_replicate() {
  echo "replica: seeding from the primary"
  primary -e "CREATE USER IF NOT EXISTS '$REPL_USER'@'127.0.0.1' IDENTIFIED BY '$REPL_PASSWORD';
    GRANT REPLICATION SLAVE ON *.* TO '$REPL_USER'@'127.0.0.1'"
  replica -e 'STOP SLAVE; RESET SLAVE ALL'
  local position databases dump
  for database in $(replica -N -e "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '$REPLICA_DATABASES'"); do
    replica -e "DROP DATABASE \`$database\`"
  done
  position=$(primary -N -e 'SELECT @@gtid_binlog_pos')
  databases=$(primary -N -e "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE '$REPLICA_DATABASES'")
  if [ -n "$databases" ]; then
    dump=$(mktemp)
    # Other suites may alter or truncate their tables meanwhile, which aborts a consistent dump: retry.
    for attempt in 1 2 3 4 5; do
      # shellcheck disable=SC2086
      mariadb-dump -h 127.0.0.1 -P "$DB_PORT" -uroot --single-transaction --master-data=1 --gtid \
        --routines --triggers --databases $databases >"$dump" 2>"$dump.err" && break
      [ "$attempt" = 5 ] && { cat "$dump.err" >&2; rm -f "$dump" "$dump.err"; exit 1; }
      sleep 1
    done
    replica <"$dump"
    rm -f "$dump" "$dump.err"
  else
    replica -e "SET GLOBAL gtid_slave_pos = '$position'"
  fi
  replica -e "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=$DB_PORT, MASTER_USER='$REPL_USER',
    MASTER_PASSWORD='$REPL_PASSWORD', MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos; START SLAVE"
  wait_for "replication did not start: $(slave_field Last_IO_Error)$(slave_field Last_SQL_Error)" 60 replicating
}

case "${1:-start}" in
  start)
    ensure_primary_binlog
    start_replica_server
    replicating || seed_and_replicate
    status
    ;;
  status)
    status
    ;;
  stop)
    if answers "$DB_REPLICA_PORT"; then
      echo "replica: stopping 127.0.0.1:$DB_REPLICA_PORT"
      replica -e 'SHUTDOWN'
      wait_for "replica did not stop" 120 port_closed "$DB_REPLICA_PORT"
    else
      echo "replica: not running"
    fi
    ;;
  *)
    echo "usage: $0 [start|status|stop]" >&2
    exit 2
    ;;
esac
