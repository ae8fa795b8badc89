# shellcheck shell=bash
# Sourced (not executed) by the mariadb image's entrypoint on the replica's first start, with an empty data
# directory; docker_process_sql and docker_sql_escape_string_literal are its own.
#
# Points this server at the primary (DB_HOST:DB_PORT, where the shop writes) and starts replicating with GTIDs
# from an empty position, that is from the primary's first binary log event: that log holds the shop's
# database and user (docker/mariadb/primary/) and every change since, so a new stack needs no dump. The
# server runs --read-only; the replication thread is not bound by it, the shop's user is.
: "${DB_HOST:?set DB_HOST to the primary}"
: "${DB_REPLICATION_USER:?set DB_REPLICATION_USER in .env}"
: "${DB_REPLICATION_PASSWORD:?set DB_REPLICATION_PASSWORD in .env}"

replication_password=$(docker_sql_escape_string_literal "$DB_REPLICATION_PASSWORD")

docker_process_sql --binary-mode <<EOSQL
CHANGE MASTER TO
  MASTER_HOST='${DB_HOST}',
  MASTER_PORT=${DB_PORT:-3306},
  MASTER_USER='${DB_REPLICATION_USER}',
  MASTER_PASSWORD='${replication_password}',
  MASTER_USE_GTID=slave_pos,
  MASTER_CONNECT_RETRY=10;
START SLAVE;
EOSQL
