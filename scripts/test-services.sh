#!/usr/bin/env bash
# Makes sure the services the tests need are installed and running, and
# prints the environment the tests read. Used by `make test`; safe to run
# again. On a fresh Debian 12 machine it installs PostgreSQL, ClickHouse,
# docker-compose and Prometheus (as root).
set -euo pipefail

log() { echo "test-services: $*" >&2; }

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The race detector needs cgo, hence a C compiler.
if ! command -v gcc >/dev/null 2>&1; then
	log "installing gcc (the race detector needs cgo)"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null
fi

PG_URL="${XINFANG_TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/test?sslmode=disable}"

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1 || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
	log "installing PostgreSQL"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

if ! pg_ready; then
	version=$(ls /etc/postgresql | sort -V | tail -n 1)
	log "starting PostgreSQL $version"
	as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start
	for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
	pg_ready || { log "PostgreSQL did not start"; exit 1; }
fi

# A stock Debian cluster asks for a password on TCP: give the postgres role
# the one the test URL uses, and create the test database.
if ! psql "$PG_URL" -qtAc 'SELECT 1' >/dev/null 2>&1; then
	log "configuring the postgres role and the test database"
	as_root runuser -u postgres -- psql -qc "ALTER ROLE postgres PASSWORD 'postgres'" >/dev/null
	as_root runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 ||
		as_root runuser -u postgres -- createdb test
	psql "$PG_URL" -qtAc 'SELECT 1' >/dev/null || { log "cannot connect to $PG_URL"; exit 1; }
fi

# docker-compose.yml is validated with Debian's docker-compose (there is no
# Docker engine in CI, only the file check).
if ! command -v docker-compose >/dev/null 2>&1; then
	log "installing docker-compose (to validate docker-compose.yml)"
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
fi

# Prometheus: only its binaries, to check the alert rules and run their unit
# tests (`promtool test rules`). Debian's package would start a service of
# its own; a policy-rc.d that refuses every start (unless one is already in
# place) keeps it from doing so, with or without systemd, so a service that
# cannot start cannot fail the install either.
prometheus_installed() {
	[ "$(dpkg-query -W -f='${Status}' prometheus 2>/dev/null)" = "install ok installed" ] &&
		[ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ]
}
if ! prometheus_installed; then
	log "installing prometheus (promtool checks the alert rules)"
	policy=/usr/sbin/policy-rc.d own_policy=
	if [ ! -e "$policy" ]; then
		own_policy=1
		trap 'as_root rm -f "$policy"' EXIT
		printf '#!/bin/sh\n# xinfang test-services: no service starts during the install\nexit 101\n' |
			as_root tee "$policy" >/dev/null
		as_root chmod 755 "$policy"
	fi
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
	if [ -d /run/systemd/system ]; then
		as_root systemctl disable --now prometheus.service >/dev/null 2>&1 || true
	fi
	if [ -n "$own_policy" ]; then
		as_root rm -f "$policy"
		trap - EXIT
	fi
	prometheus_installed || { log "prometheus did not install"; exit 1; }
fi

# ClickHouse: a throwaway server from a temp-dir config (analytics tests).
CH_ADDR="${XINFANG_TEST_CLICKHOUSE_ADDR:-$("$(dirname "$0")/clickhouse-test-server.sh")}"

echo "export XINFANG_TEST_POSTGRES_URL='$PG_URL'"
echo "export XINFANG_TEST_CLICKHOUSE_ADDR='$CH_ADDR'"
echo "export XINFANG_TEST_PROMETHEUS='/usr/bin/prometheus'"
echo "export XINFANG_TEST_PROMTOOL='/usr/bin/promtool'"
