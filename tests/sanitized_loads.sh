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
# A re-run with fewer rows over the last run's output (stale chunks removed), one that
# existing_objects "keep" refuses, one stopped by SIGTERM while it waits on its input,
# and a cleanup: clean too.
head -n 5000 "$work/rows.ndjson" > "$work/fewer.ndjson"
"$bin"/s3dest load --config "$work/config.json" --input "$work/fewer.ndjson" --dest "$work/out-avro" --no-progress
sed 's/}$/, "existing_objects": "keep"}/' "$work/config.json" > "$work/keep.json"
rc=0
"$bin"/s3dest load --config "$work/keep.json" --input "$work/fewer.ndjson" --dest "$work/out-avro" --no-progress \
  2>/dev/null || rc=$?
[ "$rc" = 4 ] || { echo "existing_objects keep: exit $rc, not 4" >&2; exit 1; }
mkfifo "$work/input"
"$bin"/s3dest load --config "$work/config.json" --input - --dest "$work/out-avro" --no-progress \
  < "$work/input" 2>/dev/null & pid=$!
exec 3>"$work/input"
head -n 10000 "$work/rows.ndjson" >&3
sleep 2
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
exec 3>&-
[ "$rc" = 143 ] || { echo "SIGTERM: exit $rc, not 143" >&2; exit 1; }
"$bin"/s3dest cleanup --config "$work/config.json" --dest "$work/out-avro" 2>/dev/null
echo "sanitized loads: ok"
