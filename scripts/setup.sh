#!/usr/bin/env bash
# Prepares a Debian 12 machine to build and test Lantai, from the project root:
#   scripts/setup.sh && npm test
# 1. installs the Debian packages listed in scripts/debian-packages.txt that are missing;
# 2. makes PostgreSQL answer at the test URL (starting or creating the local cluster);
# 3. installs the npm dependencies (npm ci, which also builds the project).
# Safe to run again: whatever is already in place is left as it is.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly PACKAGE_LIST=scripts/debian-packages.txt
readonly PG_PORT=5432
readonly PG_PASSWORD=lantai-test
readonly PG_TEST_URL="postgres://postgres:${PG_PASSWORD}@127.0.0.1:${PG_PORT}/postgres"

say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

# Runs a command as root: directly, or through sudo when this user is not root.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "'$*' needs root: run scripts/setup.sh as root, or install sudo"
  fi
}

# Runs a command as the postgres OS user, who may log in over the unix socket
# (peer authentication) whatever pg_hba.conf says about TCP connections.
as_postgres() {
  if [ "$(id -un)" = postgres ]; then
    "$@"
  elif [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo -u postgres -- "$@"
  else
    die "'$*' must run as the postgres user: run scripts/setup.sh as root, or install sudo"
  fi
}

install_debian_packages() {
  command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 ||
    die "this script expects Debian 12 (apt-get, dpkg-query); install the packages in $PACKAGE_LIST by hand"

  local line pkg missing=()
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%%#*}
    for pkg in $line; do
      if [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)" != installed ]; then
        missing+=("$pkg")
      fi
    done
  done <"$PACKAGE_LIST"

  if [ "${#missing[@]}" -eq 0 ]; then
    say "Debian packages: all present"
    return
  fi
  say "Debian packages: installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  say "Debian packages: installed"
}

pg_listening() {
  pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 2
}

# Starts the local cluster that owns port 5432, creating one when there is no cluster at all.
start_postgres() {
  local version cluster
  read -r version cluster < <(pg_lsclusters -h | awk -v port="$PG_PORT" '$3 == port { print $1, $2 }' | sort -V | tail -1) || true
  if [ -z "${version:-}" ]; then
    if [ -n "$(pg_lsclusters -h)" ]; then
      die "no PostgreSQL cluster is set to port $PG_PORT (pg_lsclusters shows others); move one to $PG_PORT or set LANTAI_TEST_PG_URL"
    fi
    version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    cluster=main
    say "PostgreSQL: creating cluster $version/$cluster on port $PG_PORT"
    as_root pg_createcluster -p "$PG_PORT" "$version" "$cluster" >/dev/null
  fi
  say "PostgreSQL: starting cluster $version/$cluster"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$cluster" start

  local tries=30
  until pg_listening; do
    tries=$((tries - 1))
    [ "$tries" -gt 0 ] || die "PostgreSQL $version/$cluster did not come up; see /var/log/postgresql/postgresql-$version-$cluster.log"
    sleep 1
  done
}

verify_postgres() {
  local url=$1
  PGCONNECT_TIMEOUT=5 psql -X -q -tA -v ON_ERROR_STOP=1 "$url" -c 'select 1' >/dev/null ||
    die "cannot connect to PostgreSQL at $(sed -E 's#(//[^:/@]*):[^@]*@#\1:***@#' <<<"$url")"
}

prepare_postgres() {
  if [ -n "${LANTAI_TEST_PG_URL:-}" ]; then
    verify_postgres "$LANTAI_TEST_PG_URL"
    say "PostgreSQL: LANTAI_TEST_PG_URL answers"
    return
  fi
  if pg_listening; then
    say "PostgreSQL: listening on 127.0.0.1:$PG_PORT"
  else
    start_postgres
  fi
  # Setting the password every time is what makes the URL work both under trust (this
  # kind of machine) and under scram-sha-256 (a stock Debian cluster).
  (cd / && as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres \
    -c "ALTER USER postgres PASSWORD '$PG_PASSWORD'")
  verify_postgres "$PG_TEST_URL"
  say "PostgreSQL: postgres://postgres:***@127.0.0.1:$PG_PORT/postgres answers"
}

install_npm_dependencies() {
  say "npm: installing dependencies (npm ci, which builds the project)"
  npm ci --no-audit --no-fund
}

install_debian_packages
prepare_postgres
install_npm_dependencies
say "done"
