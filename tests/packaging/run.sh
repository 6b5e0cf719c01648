#!/usr/bin/env bash
# s3dest as others use it, from a clean temporary folder:
#   1. installed (cmake --install --prefix), then found by a consumer with find_package,
#      which gets the version it asks for (0.1) and is refused one it does not (0.2, 1.0)
#   2. add_subdirectory(s3dest) in a consumer's build: the library target alone
#   3. pkg-config: s3dest.pc of the install, on a plain g++ command line
#   4. S3DEST_STATIC_TOOLS: s3dest-sample fully static; s3dest-encode with neither
#      libcurl nor OpenSSL, fully static when a static simdjson
#      exists, else needing only libsimdjson and glibc (Debian 12 ships no
#      libsimdjson.a); s3dest needing only glibc, libcurl, libcrypto, libsimdjson and
#      libzstd (which libcurl needs too) itself (the C++ runtime and zlib inside); all of
#      them still work, csv+zstd too when s3dest is built with zstd (libzstd found)
# Each consumer (consumer.cpp) touches simdjson, zlib, libcrypto and libcurl (and libzstd
# when s3dest is built with it), so a link line that misses one fails. Any failure stops the script, saying what failed.
# CXX picks the compiler (default c++); KEEP=1 keeps the temporary folder.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/s3dest-packaging.XXXXXX")
if [ "${KEEP:-0}" != 1 ]; then trap 'rm -rf "$work"' EXIT; fi
cxx=${CXX:-c++}
jobs=$(nproc)

fail() {
  echo "packaging: FAILED: $*" >&2
  exit 1
}
say() { echo "packaging: $*"; }
# Runs a command quietly; on failure shows its output and stops.
quiet() {
  local log="$work/last.log"
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "$*"
  fi
}
cmake_configure() { quiet cmake -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$cxx" "$@"; }

# 1. find_package after cmake --install.
prefix="$work/prefix"
cmake_configure -S "$source_dir" -B "$work/s3dest" -DS3DEST_BUILD_TOOLS=OFF -DS3DEST_BUILD_TESTS=OFF
quiet cmake --build "$work/s3dest"
quiet cmake --install "$work/s3dest" --prefix "$prefix"
config=$(find "$prefix" -name s3destConfig.cmake)
[ -n "$config" ] || fail "no s3destConfig.cmake under $prefix"
for f in s3destConfigVersion.cmake s3destTargets.cmake; do
  [ -f "$(dirname "$config")/$f" ] || fail "$f is not installed next to s3destConfig.cmake"
done
[ -f "$prefix/include/s3dest/destination.hpp" ] || fail "the headers are not installed under $prefix/include"
cmake_configure -S "$here/find-package" -B "$work/find-package" -DCMAKE_PREFIX_PATH="$prefix"
quiet cmake --build "$work/find-package"
out=$("$work/find-package/consumer") || fail "the find_package consumer failed"
say "find_package: $out"
for want in 0.2 1.0; do
  if cmake -G Ninja -S "$here/find-package" -B "$work/find-package-$want" -DCMAKE_PREFIX_PATH="$prefix" \
       -DS3DEST_WANT="$want" >"$work/want.log" 2>&1; then
    fail "find_package(s3dest $want) accepted s3dest $(grep -o 'VERSION [0-9.]*' "$source_dir/CMakeLists.txt" | head -1)"
  fi
  grep -q "compatible" "$work/want.log" || { cat "$work/want.log" >&2; fail "find_package(s3dest $want): unexpected error"; }
done
say "find_package: s3dest 0.2 and 1.0 refused, as 0.x minor versions may differ"

# 2. add_subdirectory: just the library.
cmake_configure -S "$here/add-subdirectory" -B "$work/add-subdirectory" -DS3DEST_SOURCE="$source_dir"
quiet cmake --build "$work/add-subdirectory"
out=$("$work/add-subdirectory/consumer") || fail "the add_subdirectory consumer failed"
quiet cmake --install "$work/add-subdirectory" --prefix "$work/sub-prefix"
[ -z "$(ls -A "$work/sub-prefix" 2>/dev/null)" ] || fail "add_subdirectory(s3dest) installed files: $(cd "$work/sub-prefix" && find . -type f | head -5)"
say "add_subdirectory: $out"

# 3. pkg-config, from the installed s3dest.pc, on a plain command line.
pc=$(find "$prefix" -name s3dest.pc)
[ -n "$pc" ] || fail "no s3dest.pc under $prefix"
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc")
version=$(pkg-config --modversion s3dest) || fail "pkg-config cannot read $pc (or a package it requires)"
flags=$(pkg-config --cflags --libs s3dest)
# shellcheck disable=SC2086 # the flags are words
quiet "$cxx" -std=c++17 -O1 -Wall -Wextra -Werror "$here/consumer.cpp" -o "$work/consumer-pc" $flags
out=$("$work/consumer-pc") || fail "the pkg-config consumer failed"
say "pkg-config: s3dest $version ($flags): $out"

# 4. S3DEST_STATIC_TOOLS.
static="$work/static"
cmake_configure -S "$source_dir" -B "$static" -DS3DEST_STATIC_TOOLS=ON -DS3DEST_BUILD_TESTS=OFF
grep -h "S3DEST_STATIC_TOOLS:" "$work/last.log" | sed 's/^-- /packaging: /' || true
quiet nice -n 10 cmake --build "$static" -j "$jobs" --target s3dest_sample s3dest_encode s3dest_tool
bin="$static/bin"
statically_linked() { file -L "$1" | grep -q "statically linked" && ! ldd "$1" >/dev/null 2>&1; }
statically_linked "$bin/s3dest-sample" || fail "s3dest-sample is not statically linked: $(file -L "$bin/s3dest-sample")"
if grep -q "^S3DEST_STATIC_SIMDJSON:.*NOTFOUND" "$static/CMakeCache.txt"; then
  # Debian 12: everything but libsimdjson (which brings the C++ runtime) and glibc inside.
  libs=$(ldd "$bin/s3dest-encode" | awk '/=>/ {print $1}' | sort | tr '\n' ' ')
  allowed=" libc.so.6 libgcc_s.so.1 libm.so.6 libsimdjson.so.14 libstdc++.so.6 "
  for lib in $libs; do
    case "$allowed" in *" $lib "*) ;; *) fail "s3dest-encode needs $lib at run time; only libsimdjson and glibc may remain" ;; esac
  done
  say "s3dest-encode: static but for libsimdjson.so.14 (which brings libstdc++ and libgcc_s) and glibc, as no libsimdjson.a is here: needs $libs"
else
  statically_linked "$bin/s3dest-encode" || fail "s3dest-encode is not statically linked: $(file -L "$bin/s3dest-encode")"
  say "s3dest-encode: statically linked"
fi
if ldd "$bin/s3dest-encode" 2>/dev/null | grep -Eq 'libcurl|libssl|libcrypto'; then
  fail "s3dest-encode links libcurl or OpenSSL: $(ldd "$bin/s3dest-encode" | tr '\n' ' ')"
fi
# (Its size with a shared C++ runtime, under 1.5 MB stripped, is checked by encode.test.mjs;
# the static C++ runtime adds about 1.6 MB.)
strip -o "$work/s3dest-encode.stripped" "$bin/s3dest-encode"
encode_bytes=$(stat -c %s "$work/s3dest-encode.stripped")
# s3dest's own needs (readelf: not what its libraries pull in): glibc, libcurl, libcrypto,
# libsimdjson and libzstd (shared, as libcurl loads it too); libstdc++, libgcc_s and zlib
# are inside.
needed=$(readelf -d "$bin/s3dest" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
for lib in $needed; do
  case "$lib" in libc.so.*|libm.so.*|ld-linux*|libcurl.so.*|libcrypto.so.*|libsimdjson.so.*|libzstd.so.*) ;;
    *) fail "the static-tools s3dest needs $lib itself; only glibc, libcurl, libcrypto, libsimdjson and libzstd may remain" ;;
  esac
done
say "s3dest: needs $needed(ldd: $(ldd "$bin/s3dest" | awk '{print $1}' | tr '\n' ' '))"

"$bin/s3dest-sample" --rows 100 >"$work/rows.ndjson"
printf '{"folder": "/rows", "file_name": "sample-{{chunk_id}}", "file_format": "%s"}\n' csv >"$work/csv.json"
printf '{"folder": "/rows", "file_name": "sample-{{chunk_id}}", "file_format": "%s"}\n' parquet >"$work/parquet.json"
for tool in s3dest-encode s3dest; do
  command=$([ "$tool" = s3dest ] && echo load || true)
  quiet "$bin/$tool" $command --config "$work/csv.json" --input "$work/rows.ndjson" --dest "$work/$tool-csv" --no-progress
  [ "$(grep -c '^2026-' "$work/$tool-csv/rows/sample-00001.csv")" = 100 ] || fail "the static $tool lost rows"
  quiet "$bin/$tool" $command --config "$work/parquet.json" --input "$work/rows.ndjson" --dest "$work/$tool-parquet" --no-progress
  file="$work/$tool-parquet/rows/sample-00001.parquet"
  [ "$(head -c 4 "$file")" = PAR1 ] && [ "$(tail -c 4 "$file")" = PAR1 ] ||
    fail "the static $tool wrote a parquet file without its PAR1 marks"
done
cmp "$work/s3dest-encode-csv/rows/sample-00001.csv" "$work/s3dest-csv/rows/sample-00001.csv" ||
  fail "s3dest-encode and s3dest load wrote different csv from the same rows and config"
if grep -q "^S3DEST_WITH_ZSTD:BOOL=\(ON\|TRUE\)" "$static/CMakeCache.txt"; then
  printf '{"folder": "/rows", "file_name": "sample-{{chunk_id}}", "file_format": "%s"}\n' csv+zstd >"$work/zstd.json"
  for tool in s3dest-encode s3dest; do
    command=$([ "$tool" = s3dest ] && echo load || true)
    quiet "$bin/$tool" $command --config "$work/zstd.json" --input "$work/rows.ndjson" --dest "$work/$tool-zstd" --no-progress
    file="$work/$tool-zstd/rows/sample-00001.csv.zst"
    [ "$(head -c 4 "$file" | od -An -tx1 | tr -d ' ')" = 28b52ffd ] || fail "the static $tool wrote no zstd frame"
  done
  say "static tools: csv+zstd written by s3dest-encode and s3dest"
fi
say "static tools: s3dest-sample $(stat -c %s "$bin/s3dest-sample") bytes, s3dest-encode $encode_bytes bytes stripped, s3dest $(stat -c %s "$bin/s3dest") bytes; they run"
say "all passed"
