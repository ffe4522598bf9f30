#!/usr/bin/env bash
# Starts a throwaway ClickHouse server for the tests (Debian's
# clickhouse-server, 18.16 on Debian 12) from a config in a temp directory,
# unless one already answers on the port. Installs the packages when they
# are missing. Prints the address on stdout. Safe to run again.
#
#   XINFANG_CLICKHOUSE_DIR   where the server keeps its files (default /tmp/xinfang-clickhouse)
#   XINFANG_CLICKHOUSE_PORT  native protocol port (default 19000)
set -euo pipefail

log() { echo "clickhouse-test-server: $*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

dir="${XINFANG_CLICKHOUSE_DIR:-/tmp/xinfang-clickhouse}"
port="${XINFANG_CLICKHOUSE_PORT:-19000}"
http_port=$((port + 1))

if ! command -v clickhouse-server >/dev/null 2>&1 || ! command -v clickhouse-client >/dev/null 2>&1; then
	log "installing clickhouse-server and clickhouse-client"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clickhouse-server clickhouse-client >/dev/null
fi

ready() { clickhouse-client --host 127.0.0.1 --port "$port" --query 'SELECT 1' >/dev/null 2>&1; }

if ! ready; then
	mkdir -p "$dir/data" "$dir/tmp" "$dir/log"
	cat >"$dir/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog></logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>$port</tcp_port>
    <http_port>$http_port</http_port>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <users_config>/etc/clickhouse-server/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mark_cache_size>268435456</mark_cache_size>
</yandex>
XML
	log "starting ClickHouse on 127.0.0.1:$port (files in $dir)"
	# clickhouse-server runs as the invoking user; as root it needs no
	# system service.
	nohup clickhouse-server --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1 &
	for _ in $(seq 1 60); do ready && break; sleep 0.5; done
	ready || { log "ClickHouse did not start; see $dir/log"; tail -20 "$dir/log/error.log" >&2 || true; exit 1; }
fi
echo "127.0.0.1:$port"
