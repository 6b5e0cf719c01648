#!/usr/bin/env bash
# The quick start's second command: installs what is missing, then runs every check
# s3dest has, each step named as it starts:
#   1. release build (g++, C++17, warnings as errors) and every test through ctest:
#      unit tests, header self-containment, end-to-end tests read back by DuckDB
#   2. the library under clang++ and C++20, headers alone with -fno-exceptions; s3dest as
#      a dependency (installed, add_subdirectory, pkg-config) and the static tools
#   3. unit tests and a sample load under AddressSanitizer + UndefinedBehaviorSanitizer
#   4. each fuzz target for a bounded time (FUZZ_SECONDS, default 30)
# QUICK=1 stops after step 1.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s\n' "$*"; }

step "installing what is missing"
bash tools/install_deps.sh --test
jobs=$(nproc)

step "1. release build and all tests (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DS3DEST_BUILD_TESTS=ON >/dev/null
cmake --build build
ctest --test-dir build --output-on-failure -j "$jobs"
[ "${QUICK:-0}" = 1 ] && exit 0

step "2. compiler and standard matrix (headers alone, -fno-exceptions; the tools)"
for combo in "clang++ 17" "clang++ 20" "g++ 20"; do
  set -- $combo
  dir=build-matrix-$1-$2
  echo "-- $1 C++$2"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$1" -DCMAKE_CXX_STANDARD="$2" \
    -DCMAKE_BUILD_TYPE=Release -DS3DEST_BUILD_TESTS=ON >/dev/null
  cmake --build "$dir" --target header_self_containment s3dest_tool s3dest_sample s3dest_encode >/dev/null
done
echo "-- packaging: find_package, add_subdirectory, pkg-config; S3DEST_STATIC_TOOLS"
bash tests/packaging/run.sh

step "3. unit tests and a sample load under ASan + UBSan (build-sanitize/)"
cmake -S . -B build-sanitize -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DS3DEST_SANITIZE=ON -DS3DEST_BUILD_TESTS=ON >/dev/null
cmake --build build-sanitize
ctest --test-dir build-sanitize --output-on-failure -j "$jobs" -R '^unit\.'
bash tests/sanitized_loads.sh build-sanitize/bin

step "4. fuzzing, ${FUZZ_SECONDS:-30} s per target (build-fuzz/)"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DS3DEST_BUILD_FUZZERS=ON -DS3DEST_BUILD_TESTS=OFF -DS3DEST_BUILD_TOOLS=OFF >/dev/null
cmake --build build-fuzz
for corpus in fuzz/corpus/*/; do
  name=$(basename "$corpus")
  work=$(mktemp -d)
  cp "$corpus"* "$work/"
  echo "-- ${name}_fuzz"
  build-fuzz/bin/"${name}"_fuzz -max_total_time="${FUZZ_SECONDS:-30}" -print_final_stats=1 \
    -artifact_prefix="$work/" "$work" 2>&1 | grep -E '^(stat::number_of_executed_units|==.*ERROR|SUMMARY)' || true
  # (One `ls` of the three patterns failed whenever any had no match, so a crash alone
  # passed unnoticed.)
  found=$(find "$work" -maxdepth 1 \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \))
  if [ -n "$found" ]; then
    echo "fuzzing ${name} found a failing input: $found"
    exit 1
  fi
  rm -rf "$work"
done
echo
echo "all checks passed"
