#!/usr/bin/env bash
# Make sure the machine's PostgreSQL cluster runs and accepts the test role on 127.0.0.1:5432
# (idempotent; the tests create one database per test file in it).
set -euo pipefail
if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  version=$(ls /etc/postgresql | sort -n | tail -1)
  if ! pg_lsclusters -h | grep -q "^$version main"; then
    pg_createcluster "$version" main
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
# Tests connect as postgres over TCP without a password; make sure that works (trust on loopback).
if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT 1' >/dev/null 2>&1; then
  hba=$(runuser -u postgres -- psql -tAc 'SHOW hba_file')
  sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
  runuser -u postgres -- psql -tAc 'SELECT pg_reload_conf()' >/dev/null
fi
psql -h 127.0.0.1 -U postgres -d postgres -tAc 'SELECT version()'
