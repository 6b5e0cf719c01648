#!/usr/bin/env bash
# The quick start's first command: builds s3dest, generates sample rows and loads them
# into a local folder laid out exactly like the bucket would be.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DS3DEST_BUILD_TESTS=OFF >/dev/null
cmake --build build --target s3dest_tool s3dest_sample >/dev/null

out=${1:-demo-lake}
rm -rf "$out"
rows=${DEMO_ROWS:-100000}
echo "s3dest demo: $rows sample rows, csv+gzip, partitioned by day and account, 1 MB chunks"
build/bin/s3dest-sample --rows "$rows" --days 14 --accounts 3 |
  build/bin/s3dest load --config tools/demo/config.json --dest "$out" --now 2026-11-25T12:00:00Z \
    --manifest "$out.manifest.json"
echo
where=$(cd "$out" && pwd)
echo "Files are under $where/ (the manifest is $where.manifest.json). A few of them:"
find "$out" -type f | sort | head -n 8
echo "Look inside one: zcat \"\$(find $out -type f | sort | head -n 1)\" | head"
