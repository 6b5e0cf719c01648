#!/usr/bin/env bash
# Installs what s3dest needs to build (and, with --test, to test) on Debian 12, skipping
# whatever is already there. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# libzstd-dev is optional for the library (the zstd formats; CMake builds without them
# when it is missing) but installed here so the tools have every format.
packages=(cmake ninja-build g++ pkg-config libsimdjson-dev zlib1g-dev libssl-dev libcurl4-openssl-dev libzstd-dev)
if [ "${1:-}" = "--test" ]; then
  packages+=(clang libclang-rt-14-dev libboost-test-dev nodejs npm python3-avro python3-snappy avro-bin gzip file)
  # The zstd formats' readers (tests/e2e/zstd.test.mjs): the zstd CLI, and python3-avro's
  # "zstandard" codec, which needs python3-zstandard.
  packages+=(zstd python3-zstandard)
  # A real S3 server for the S3 tests (tests/s3server/radosgw.sh), and the AWS CLI.
  # Its TLS endpoint's certificate is made with the openssl command.
  packages+=(ceph-mon ceph-osd radosgw ceph-common awscli curl openssl)
  # A clock two hours off for one cell of the S3 fault matrix (tests/e2e/s3_faults.test.mjs),
  # and strace, which shows a local load flushing each file system before its renames and
  # kills one in the middle of them (tests/e2e/rerun.test.mjs).
  packages+=(faketime time strace)
fi

# A node from elsewhere (e.g. /usr/local) serves as well as Debian's.
have_node=0
if command -v node >/dev/null && command -v npm >/dev/null; then have_node=1; fi
missing=()
for p in "${packages[@]}"; do
  if [ "$have_node" = 1 ] && { [ "$p" = nodejs ] || [ "$p" = npm ]; }; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "s3dest: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--test" ] &&
   { [ ! -d tests/e2e/node_modules/@duckdb/node-api ] || [ ! -d tests/e2e/node_modules/hyparquet ]; }; then
  echo "s3dest: installing DuckDB and hyparquet for the end-to-end tests (npm)" >&2
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
