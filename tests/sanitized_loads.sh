#!/usr/bin/env bash
# Loads sample rows in every format through a sanitized build of the tool: any
# memory error or undefined behaviour aborts it. Usage: tests/sanitized_loads.sh BIN_DIR
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin"/s3dest-sample --rows 20000 --days 40 --accounts 4 > "$work/rows.ndjson"
gzip -k "$work/rows.ndjson"
for format in csv csv+gzip json json+gzip parquet avro; do
  cat > "$work/config.json" <<JSON
{"folder": "/{{account}}/{{YYYY}}/{{MM}}/{{DD}}", "file_name": "rows-{{chunk_id}}",
 "file_format": "$format", "max_file_size_mb": 0.05, "use_load_by_account": true,
 "date_field": "date", "account_field": "account", "memory_limit_mb": 16}
JSON
  "$bin"/s3dest load --config "$work/config.json" --input "$work/rows.ndjson" --input "$work/rows.ndjson.gz" \
    --dest "$work/out-$format" --manifest "$work/manifest.json" --no-progress
  "$bin"/s3dest load --config "$work/config.json" --input "$work/rows.ndjson" --dry-run >/dev/null
done
# A failing load (bad row late in the input) must also be clean.
{ head -n 15000 "$work/rows.ndjson"; echo '{"date": "not a date"}'; } > "$work/bad.ndjson"
if "$bin"/s3dest load --config "$work/config.json" --input "$work/bad.ndjson" --dest "$work/out-bad" --no-progress 2>/dev/null; then
  echo "a bad input was accepted" >&2
  exit 1
fi
echo "sanitized loads: ok"
