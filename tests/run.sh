#!/usr/bin/env bash
# The quick start's second command: installs what is missing, builds everything with
# warnings as errors, and runs every test (unit, header, end-to-end) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh --test
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DS3DEST_BUILD_TESTS=ON >/dev/null
cmake --build "$build"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
