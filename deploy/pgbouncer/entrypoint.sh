#!/bin/sh
# Writes pgbouncer.ini and its user list from the environment, then runs PgBouncer in the
# foreground. Transaction pooling: the app keeps no session state (SET LOCAL only; migrations,
# which take a session lock, connect to PostgreSQL directly).
set -eu
: "${DB_HOST:?}" "${DB_USER:?}" "${DB_PASSWORD:?}" "${DB_NAME:?}"
umask 077
cat > /etc/pgbouncer/pgbouncer.ini <<INI
[databases]
* = host=${DB_HOST} port=${DB_PORT:-5432}

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 6432
auth_type = scram-sha-256
auth_file = /etc/pgbouncer/userlist.txt
pool_mode = ${POOL_MODE:-transaction}
max_client_conn = ${MAX_CLIENT_CONN:-500}
default_pool_size = ${DEFAULT_POOL_SIZE:-20}
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
unix_socket_dir =
INI
printf '"%s" "%s"\n' "$DB_USER" "$DB_PASSWORD" > /etc/pgbouncer/userlist.txt
exec pgbouncer /etc/pgbouncer/pgbouncer.ini
