#!/usr/bin/env bash
# What a re-run into an S3 bucket without versions costs: a run keeps a server-side copy of
# each object it replaces until it has succeeded (README, "Re-runs"). Into a local radosgw
# (tests/s3server/radosgw.sh, loopback, plain http), a first load writes the objects, then
# re-runs of the same rows replace every one of them, in turns: this build, and --baseline
# (a build from before kept copies, or any other) if given.
#
#   chunks  README's lake.json layout (csv+gzip by account and day), max_file_size_mb
#           --chunk-mb (0.02: 450 objects of about 20 KB from 200,000 rows)
#   large   the same with max_file_size_mb 100 (150 objects, one a partition)
#
# Each re-run runs under /usr/bin/time: the table has the medians of wall seconds, CPU
# seconds and peak RSS (MB), and this build's ratio to the baseline. After each re-run the
# objects are counted, and none may be a kept copy (.NAME.s3dest-RUNID.kept). Not a test:
# nothing fails on timing. The machine is shared: run it when nothing else runs.
#
#   bench/rerun.sh [--repeat N] [--rows N] [--chunk-mb X] [--baseline BIN] [--out FILE]
#   S3DEST_BIN=build/bin/s3dest bench/rerun.sh ...   # this binary (default build/bin/s3dest)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
start_dir=$PWD
repeat=3
rows=200000
chunk_mb=0.02
baseline=""
out_file=""

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --chunk-mb) chunk_mb=$2; shift 2 ;;
    --baseline) baseline=$(cd "$start_dir" && realpath "$2"); shift 2 ;;
    --out) out_file=$(cd "$start_dir" && realpath -m "$2"); shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "bench/rerun.sh: unknown option $1" >&2; usage 2 >&2 ;;
  esac
done
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "bench/rerun.sh: --repeat takes a positive number" >&2; exit 2; }
[[ "$rows" =~ ^[1-9][0-9]*$ ]] || { echo "bench/rerun.sh: --rows takes a positive number" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench/rerun.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
s3dest=$(cd "$start_dir" && realpath "${S3DEST_BIN:-$repo/build/bin/s3dest}")
sample=$(dirname "$s3dest")/s3dest-sample
[[ -x "$s3dest" && -x "$sample" ]] ||
  { echo "bench/rerun.sh: no $s3dest and s3dest-sample beside it: build first (README)" >&2; exit 2; }
[[ -z "$baseline" || -x "$baseline" ]] || { echo "bench/rerun.sh: --baseline $baseline is not a program" >&2; exit 2; }
if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { exit !(l > 0.5) }'; then
  echo "warning: the machine is busy (load average $(cut -d' ' -f1-3 /proc/loadavg)): timings will be noisy" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/s3dest-rerun.XXXXXX")
server=$work/s3
cleanup() {
  bash "$repo/tests/s3server/radosgw.sh" stop "$server" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
echo "== radosgw in $server"
bash "$repo/tests/s3server/radosgw.sh" start "$server" >"$work/server.log" 2>&1 ||
  { tail -n 20 "$work/server.log" >&2; exit 1; }
# shellcheck disable=SC1091
source "$server/env.sh"
"$sample" --rows "$rows" >"$work/rows.ndjson"

config() {  # $1: max_file_size_mb
  cat <<EOF
{ "access_key_id": "$S3SERVER_ACCESS_KEY", "secret_access_key": "$S3SERVER_SECRET_KEY",
  "region": "$S3SERVER_REGION", "endpoint": "$S3SERVER_ENDPOINT", "path_style": true,
  "bucket": "$S3SERVER_BUCKET", "encryption": "none",
  "folder": "/{{workspace_id}}/{{data_source}}/{{account}}/{{YYYY}}/{{MM}}/{{DD}}",
  "file_name": "{{filename}}-{{YYYY}}-{{MM}}-{{DD}}-{{chunk_id}}", "file_format": "csv+gzip",
  "max_file_size_mb": $1, "partition_by": "day", "use_load_by_account": true,
  "date_field": "date", "account_field": "account",
  "context": {"workspace_id": "ws1", "data_source": "ads", "filename": "campaigns"} }
EOF
}
config "$chunk_mb" >"$work/chunks.json"
config 100 >"$work/large.json"
objects_under() {  # keys under s3://bucket/$1/, one a line
  env -u AWS_CA_BUNDLE -u AWS_PROFILE AWS_ACCESS_KEY_ID="$S3SERVER_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$S3SERVER_SECRET_KEY" \
    AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null aws --endpoint-url "$S3SERVER_ENDPOINT" \
    --region "$S3SERVER_REGION" s3api list-objects-v2 --bucket "$S3SERVER_BUCKET" --prefix "$1/" \
    --query 'Contents[].Key' --output text | tr '\t' '\n' | grep -v '^None$' || true
}

results=$work/results.tsv
: >"$results"
builds=(new)
[[ -n "$baseline" ]] && builds+=(baseline)
for layout in chunks large; do
  echo "== $layout: the first load"
  "$s3dest" load --config "$work/$layout.json" --input "$work/rows.ndjson" --dest "s3://$S3SERVER_BUCKET/$layout" --no-progress
  count=$(objects_under "$layout" | wc -l)
  for ((run = 1; run <= repeat; run++)); do
    for build in "${builds[@]}"; do
      bin=$s3dest
      [[ $build == baseline ]] && bin=$baseline
      /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$bin" load --config "$work/$layout.json" \
        --input "$work/rows.ndjson" --dest "s3://$S3SERVER_BUCKET/$layout" --no-progress >"$work/run.out" 2>&1 ||
        { tail -n 20 "$work/run.out" >&2; echo "bench/rerun.sh: $build re-run of $layout failed" >&2; exit 1; }
      keys=$(objects_under "$layout")
      if [[ $(wc -l <<<"$keys") != "$count" ]] || grep -q '\.kept$' <<<"$keys"; then
        echo "bench/rerun.sh: after the $build re-run of $layout the bucket holds other objects than before" >&2
        exit 1
      fi
      read -r wall user sys rss <"$work/time.txt"
      printf '%s\t%s\t%s\t%s\t%s\n' "$layout" "$build" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
        "$((rss / 1024))" >>"$results"
      echo "   $build: ${wall} s"
    done
  done
  echo "$layout $count" >>"$work/counts.txt"
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
value_of() { awk -F'\t' -v l="$1" -v b="$2" -v k="$3" '$1 == l && $2 == b { print $k }' "$results" | median; }
table=$work/table.md
{
  echo "Re-runs of $rows rows into radosgw without versions, every object replaced, medians of $repeat" \
    "($(date -u +%Y-%m-%d), $(nproc) cores, load average after: $(cut -d' ' -f1 /proc/loadavg))"
  echo
  echo "| layout | objects | wall s | CPU s | peak MB | baseline wall s | wall / baseline |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  while read -r layout count; do
    wall=$(value_of "$layout" new 3)
    base="" ratio=""
    if [[ -n "$baseline" ]]; then
      base=$(value_of "$layout" baseline 3)
      ratio=$(awk -v a="$wall" -v b="$base" 'BEGIN { printf "%.2fx", a / b }')
    fi
    echo "| $layout | $count | $wall | $(value_of "$layout" new 4) | $(value_of "$layout" new 5) | $base | $ratio |"
  done <"$work/counts.txt"
} >"$table"
cat "$table"
[[ -z "$out_file" ]] || cp "$table" "$out_file"
