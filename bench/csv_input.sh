#!/usr/bin/env bash
# csv input: s3dest against DuckDB loading one 1 GiB csv (9,000,000 generated rows) into
# one csv file and one parquet file (snappy), on both cores and on one (taskset -c 0), in
# the same run, tools interleaved. Prints the medians of wall time, CPU seconds and peak
# RSS (GNU time), each tool's wall time as a share of DuckDB's, and each tool's two-core
# speedup over one core. Not a test: nothing here fails on timing.
#
#   bench/csv_input.sh [--repeat N] [--rows N] [--data DIR] [--s3dest BIN] [--before BIN]
#                      [--duckdb-threads N] [--no-one-core] [--out FILE]
#
#   --repeat N      runs of each case (default 3; medians are reported)
#   --rows N        rows generated (default 9000000, about 1 GiB of csv)
#   --data DIR      keep the generated input as DIR/in-<rows>.csv and reuse it next time
#   --s3dest BIN    the s3dest measured (default: a Release build of this tree in build-bench/;
#                   its s3dest-sample, next to it, generates the rows)
#   --before BIN    also measure another s3dest, e.g. a build of an earlier commit
#   --no-one-core   skip the taskset -c 0 runs
#   --out FILE      also write the table (markdown) to FILE
#
# The input is s3dest-sample's NDJSON loaded once by s3dest into csv: a header row, ten
# columns, some quoted fields with separators, doubled quotes and CRLF inside.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
start_dir=$PWD

repeat=3
rows=9000000
data_dir=""
s3dest=""
before=""
duckdb_threads=""
one_core=1
out_file=""

usage() {
  sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}
abs() { (cd "$start_dir" && realpath -m "$1"); }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --data) data_dir=$(abs "$2"); shift 2 ;;
    --s3dest) s3dest=$(abs "$2"); shift 2 ;;
    --before) before=$(abs "$2"); shift 2 ;;
    --duckdb-threads) duckdb_threads=$2; shift 2 ;;
    --no-one-core) one_core=0; shift ;;
    --out) out_file=$(abs "$2"); shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "bench/csv_input.sh: unknown option $1" >&2; usage 2 >&2 ;;
  esac
done
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "bench/csv_input.sh: --repeat takes a positive number" >&2; exit 2; }
[[ "$rows" =~ ^[1-9][0-9]*$ ]] || { echo "bench/csv_input.sh: --rows takes a positive number" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "bench/csv_input.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
if [[ $one_core == 1 ]] && ! command -v taskset >/dev/null; then
  echo "bench/csv_input.sh: needs taskset (util-linux) for the one-core runs, or --no-one-core" >&2
  exit 2
fi
cd "$repo"

load_before=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load_before" 'BEGIN { exit !(l > 0.5) }'; then
  echo "warning: the machine is busy (load average $(cut -d' ' -f1-3 /proc/loadavg)): timings will be noisy" >&2
fi

# --- s3dest and DuckDB for node ---------------------------------------------------------
if [[ -z "$s3dest" ]]; then
  echo "== building Release into build-bench/"
  mkdir -p build-bench
  if ! { cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DS3DEST_BUILD_TESTS=OFF &&
          cmake --build build-bench --target s3dest_tool s3dest_sample; } >build-bench/bench-build.log 2>&1; then
    tail -n 40 build-bench/bench-build.log >&2
    echo "bench/csv_input.sh: the build failed (full log: build-bench/bench-build.log)" >&2
    exit 1
  fi
  s3dest=$repo/build-bench/bin/s3dest
fi
sample=$(dirname "$s3dest")/s3dest-sample
for bin in "$s3dest" ${before:+"$before"}; do
  [[ -x "$bin" ]] || { echo "bench/csv_input.sh: no executable $bin" >&2; exit 2; }
done
if [[ ! -d tests/e2e/node_modules/@duckdb/node-api ]]; then
  echo "== installing DuckDB for node (npm ci in tests/e2e)"
  (cd tests/e2e && npm ci --no-audit --no-fund >/dev/null)
fi
duck=(node "$repo/bench/duckdb_copy.mjs")
[[ -n "$duckdb_threads" ]] && duck+=(--threads "$duckdb_threads")

work=$(mktemp -d "${TMPDIR:-/tmp}/s3dest-csv-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- the input ----------------------------------------------------------------------------
input=${data_dir:+$data_dir/in-$rows.csv}
[[ -n "$input" ]] || input=$work/in.csv
if [[ ! -s "$input" ]]; then
  [[ -x "$sample" ]] || { echo "bench/csv_input.sh: no $sample to generate rows with" >&2; exit 2; }
  echo "== generating $rows rows into $input"
  mkdir -p "$(dirname "$input")"
  "$sample" --rows "$rows" --days 30 --accounts 5 >"$work/in.ndjson"
  cat >"$work/to-csv.json" <<EOF
{"folder": "/gen", "file_name": "rows", "file_format": "csv"}
EOF
  "$s3dest" load --config "$work/to-csv.json" --input "$work/in.ndjson" --dest "$work/gen" --no-progress 2>/dev/null
  mv "$work/gen/gen/rows.csv" "$input.partial" && mv "$input.partial" "$input"
  rm -rf "$work/in.ndjson" "$work/gen"
fi
input_bytes=$(stat -c %s "$input")
echo "== input: $input ($input_bytes bytes)"

for format in csv parquet; do
  cat >"$work/$format.json" <<EOF
{"folder": "/bench", "file_name": "rows", "file_format": "$format"}
EOF
done
duckdb_sql() {  # format out
  case "$1" in
    csv) echo "COPY (SELECT * FROM read_csv('$input')) TO '$2/rows.csv' (FORMAT csv)" ;;
    parquet) echo "COPY (SELECT * FROM read_csv('$input')) TO '$2/rows.parquet' (FORMAT parquet, COMPRESSION snappy)" ;;
  esac
}

runs=$work/runs.tsv
: >"$runs"
# One measured process: /usr/bin/time around it; the first run of each also counts the
# rows written (with DuckDB), so no tool is timed skipping work.
measure() {  # case tool cores rep command...
  local case=$1 tool=$2 cores=$3 rep=$4 out=$work/out wall user sys rss
  shift 4
  rm -rf "$out" && mkdir -p "$out"
  sync  # nothing left unwritten for s3dest's flush (a syncfs) to write out: see bench/run.sh
  local pin=()
  [[ $cores == 1 ]] && pin=(taskset -c 0)
  if ! /usr/bin/time -o "$work/time.txt" -f "%e %U %S %M" "${pin[@]}" "$@" >"$work/last.out" 2>"$work/last.err"; then
    echo "bench/csv_input.sh: $tool failed on $case:" >&2
    cat "$work/last.err" "$work/time.txt" >&2
    exit 1
  fi
  read -r wall user sys rss <"$work/time.txt"
  if [[ $rep == 1 && $cores == 2 ]]; then
    local file reader n
    file=$(find "$out" -type f -name "rows.$case" | head -n 1)
    reader=$([[ $case == csv ]] && echo read_csv || echo read_parquet)
    n=$("${duck[@]}" "SELECT count(*) AS n FROM $reader('$file')" | sed -n 's/.*"n":"\{0,1\}\([0-9]*\).*/\1/p')
    [[ "$n" == "$rows" ]] || { echo "bench/csv_input.sh: $tool wrote $n rows of $case, not $rows" >&2; exit 1; }
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$tool" "$cores" "$wall" "$user" "$sys" "$rss" >>"$runs"
  printf '   %-8s %-7s %s core(s) run %d: %6.2fs wall %6.2fs cpu %5d MB peak\n' "$case" "$tool" "$cores" "$rep" \
    "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$((rss / 1024))"
}

core_counts=(2)
[[ $one_core == 1 ]] && core_counts+=(1)
echo "== $repeat runs of each case, tools interleaved ($(nproc) cores; load average $load_before)"
for ((rep = 1; rep <= repeat; rep++)); do
  for cores in "${core_counts[@]}"; do
    for case in csv parquet; do
      measure "$case" s3dest "$cores" "$rep" "$s3dest" load --config "$work/$case.json" --input "$input" \
        --input-format csv --dest "$work/out" --no-progress
      if [[ -n "$before" ]]; then
        measure "$case" before "$cores" "$rep" "$before" load --config "$work/$case.json" --input "$input" \
          --input-format csv --dest "$work/out" --no-progress
      fi
      measure "$case" duckdb "$cores" "$rep" "${duck[@]}" "$(duckdb_sql "$case" "$work/out")"
    done
  done
done
rm -rf "$work/out"

# --- the table: medians ------------------------------------------------------------------------
table=$(awk -F'\t' -v load_before="$load_before" -v load_after="$(cut -d' ' -f1 /proc/loadavg)" -v repeat="$repeat" '
  function median(key,   n, i, j, t, v) {
    n = split(samples[key], v, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  {
    k = $1 SUBSEP $2 SUBSEP $3
    samples[k "w"] = samples[k "w"] " " $4
    samples[k "c"] = samples[k "c"] " " ($5 + $6)
    samples[k "m"] = samples[k "m"] " " $7
    if (!(k in seen)) { seen[k] = 1; order[++count] = k }
  }
  END {
    printf "| case | tool | cores | wall s | CPU s | peak RSS MB | wall / DuckDB | 2-core speedup |\n"
    printf "|---|---|---|---|---|---|---|---|\n"
    for (i = 1; i <= count; i++) {
      split(order[i], f, SUBSEP)
      k = order[i]
      d = f[1] SUBSEP "duckdb" SUBSEP f[3]
      one = f[1] SUBSEP f[2] SUBSEP 1
      ratio = (f[2] == "duckdb") ? "" : sprintf("%.2fx", median(k "w") / median(d "w"))
      speedup = (f[3] == 2 && (one "w") in samples) ? sprintf("%.2fx", median(one "w") / median(k "w")) : ""
      printf "| csv to %s | %s | %s | %.2f | %.2f | %d | %s | %s |\n", f[1], f[2], f[3], median(k "w"),
        median(k "c"), median(k "m") / 1024, ratio, speedup
    }
    printf "\nMedians of %d runs; load average %s before, %s after.\n", repeat, load_before, load_after
  }' "$runs")
echo
echo "$table"
if [[ -n "$out_file" ]]; then
  {
    echo "# csv input benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ))"
    echo
    echo "Input: $rows rows, $input_bytes bytes of csv. Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)."
    echo
    echo "$table"
  } >"$out_file"
  echo "(written to $out_file)"
fi
