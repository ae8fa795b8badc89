# shellcheck shell=bash
# Sourced (not executed) by the mariadb image's entrypoint on the primary's first start, with an empty data
# directory, after it has set up root; docker_process_sql and docker_sql_escape_string_literal are its own.
#
# The shop's database and user (DB_NAME, DB_USER, DB_PASSWORD of the root .env) are created with binary
# logging on: the replica replays this server's binary log from its very first event, so it gets them too.
# The replication account (DB_REPLICATION_USER, DB_REPLICATION_PASSWORD) is written with binary logging off:
# only this server needs it.
: "${DB_NAME:?set DB_NAME in .env}"
: "${DB_USER:?set DB_USER in .env}"
: "${DB_PASSWORD:?set DB_PASSWORD in .env}"
: "${DB_REPLICATION_USER:?set DB_REPLICATION_USER in .env}"
: "${DB_REPLICATION_PASSWORD:?set DB_REPLICATION_PASSWORD in .env}"

shop_password=$(docker_sql_escape_string_literal "$DB_PASSWORD")
replication_password=$(docker_sql_escape_string_literal "$DB_REPLICATION_PASSWORD")

docker_process_sql --binary-mode <<EOSQL
CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '${DB_USER}'@'%' IDENTIFIED BY '${shop_password}';
GRANT ALL ON \`${DB_NAME//_/\\_}\`.* TO '${DB_USER}'@'%';
SET SESSION SQL_LOG_BIN = 0;
CREATE USER IF NOT EXISTS '${DB_REPLICATION_USER}'@'%' IDENTIFIED BY '${replication_password}';
GRANT REPLICATION SLAVE ON *.* TO '${DB_REPLICATION_USER}'@'%';
EOSQL
