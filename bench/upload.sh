#!/usr/bin/env bash
# The uploader alone, against the AWS CLI and rclone: one csv file (1 GiB by default) into
# a local radosgw (tests/s3server/radosgw.sh, on loopback, plain http), in the same run:
#
#   put     s3dest put of the file (one object, multipart)
#   load    s3dest load of the file as csv input into one csv object (parse, encode, upload)
#   aws     aws s3 cp (Debian's awscli, its defaults: 8 MiB parts, 10 at once)
#   rclone  rclone copy to an s3 remote for radosgw (its defaults)
#
# Each case runs --repeat times, in turns (put, load, aws, rclone, put, ...), under
# /usr/bin/time: the table has the medians of wall seconds, client CPU seconds (user +
# sys of the client process and its children) and peak RSS (MB), and each case's ratio
# to aws. Every object is checked to have the file's size; it is deleted after its run
# and its space freed (radosgw-admin gc process; not timed), so the server's store does not
# fill. Not a test: nothing fails on timing.
# The machine is shared: run it when nothing else runs, and repeat.
#
#   bench/upload.sh [--repeat N] [--size-mb N] [--cases put,load,aws,rclone] [--keep]
#                   [--out FILE]      # the table, in markdown, also written here
#   bench/upload.sh --files 500 --size-mb 50 --cases put,aws,rclone
#                     # the same bytes as 500 small files in a folder: put of them all,
#                     # aws s3 cp --recursive, rclone copy of the folder (no load case)
#   S3DEST_BIN=build/bin/s3dest bench/upload.sh ...   # this binary, else build-bench/ is built
#   bench/upload.sh --profile [--size-mb N]   # callgrind of s3dest put on a smaller file
#
# Config of the s3dest cases: the defaults (part_size_mb 8, concurrency 4, memory_limit_mb
# 512, checksum crc32c) and encryption "none", as the peers send none either.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
start_dir=$PWD
repeat=3
size_mb=1024
cases="put,load,aws,rclone"
files=1
keep=0
profile=0
out_file=""

usage() {
  sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeat) repeat=$2; shift 2 ;;
    --size-mb) size_mb=$2; shift 2 ;;
    --files) files=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --profile) profile=1; shift ;;
    --out) out_file=$(cd "$start_dir" && realpath -m "$2"); shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "bench/upload.sh: unknown option $1" >&2; usage 2 >&2 ;;
  esac
done
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "bench/upload.sh: --repeat takes a positive number" >&2; exit 2; }
[[ "$size_mb" =~ ^[1-9][0-9]*$ ]] || { echo "bench/upload.sh: --size-mb takes a positive number" >&2; exit 2; }
[[ "$files" =~ ^[1-9][0-9]*$ ]] || { echo "bench/upload.sh: --files takes a positive number" >&2; exit 2; }
if [[ $files -gt 1 && ",$cases," == *",load,"* ]]; then
  echo "bench/upload.sh: the load case reads one file: leave it out of --cases with --files" >&2
  exit 2
fi
[[ -x /usr/bin/time ]] || { echo "bench/upload.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
# /root/.pyenv/shims/aws may shadow Debian's: the peer measured is /usr/bin/aws.
aws_bin=/usr/bin/aws
[[ -x "$aws_bin" ]] || aws_bin=$(command -v aws)
if [[ ",$cases," == *",rclone,"* ]]; then
  command -v rclone >/dev/null || { echo "bench/upload.sh: needs rclone (apt-get install rclone)" >&2; exit 2; }
fi

if awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { exit !(l > 0.5) }'; then
  echo "warning: the machine is busy (load average $(cut -d' ' -f1-3 /proc/loadavg)): timings will be noisy" >&2
fi

# --- s3dest ------------------------------------------------------------------------------
if [[ -n "${S3DEST_BIN:-}" ]]; then
  s3dest=$(cd "$start_dir" && realpath "$S3DEST_BIN")
else
  echo "== building Release into build-bench/"
  mkdir -p "$repo/build-bench"
  if ! { cmake -S "$repo" -B "$repo/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release -DS3DEST_BUILD_TESTS=OFF &&
          cmake --build "$repo/build-bench" --target s3dest_tool; } >"$repo/build-bench/upload-build.log" 2>&1; then
    tail -n 40 "$repo/build-bench/upload-build.log" >&2
    echo "bench/upload.sh: the build failed" >&2
    exit 1
  fi
  s3dest=$repo/build-bench/bin/s3dest
fi

# --- a folder, the server, the file --------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/s3dest-upload.XXXXXX")
server=$work/s3
cleanup() {
  bash "$repo/tests/s3server/radosgw.sh" stop "$server" >/dev/null 2>&1 || true
  if [[ $keep == 1 ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
echo "== radosgw in $server"
# The store holds a run's object and the one before it, until garbage collection.
S3SERVER_MEMSTORE_MB=$((size_mb * 3 + 1024)) bash "$repo/tests/s3server/radosgw.sh" start "$server" >"$work/server.log" 2>&1 ||
  { tail -n 20 "$work/server.log" >&2; exit 1; }
# shellcheck disable=SC1091
source "$server/env.sh"

# A csv file of about size_mb MiB: a header and rows of 8 columns, deterministic.
data=$work/data.csv
echo "== generating $size_mb MiB of csv"
awk -v bytes=$((size_mb * 1048576)) 'BEGIN {
  print "id,day,account,region,amount,quantity,flag,note"; n = 0; total = 0
  split("north south east west central", regions, " ")
  srand(42)
  while (total < bytes) {
    n++
    line = n ",2026-01-" sprintf("%02d", n % 28 + 1) ",acct-" (n % 997) "," regions[n % 5 + 1] "," \
           sprintf("%.2f", rand() * 10000) "," int(rand() * 1000) "," (n % 3 == 0 ? "true" : "false") \
           ",\"note " n ", seen " int(rand() * 100000) " times\""
    print line; total += length(line) + 1
  }
}' >"$data"
data_bytes=$(stat -c %s "$data")
# With --files N: the same lines cut into N files of about the same size, in a folder.
many=$work/many
if [[ $files -gt 1 ]]; then
  mkdir -p "$many"
  split -n "l/$files" -a 5 -d --additional-suffix=.csv "$data" "$many/part-"
  data_bytes=$(cat "$many"/* | wc -c)
fi

config_common="\"access_key_id\": \"$S3SERVER_ACCESS_KEY\", \"secret_access_key\": \"$S3SERVER_SECRET_KEY\",
  \"region\": \"$S3SERVER_REGION\", \"endpoint\": \"$S3SERVER_ENDPOINT\", \"path_style\": true,
  \"bucket\": \"$S3SERVER_BUCKET\", \"encryption\": \"none\""
cat >"$work/put.json" <<EOF
{ $config_common, "folder": "bench/put", "file_name": "data" }
EOF
cat >"$work/load.json" <<EOF
{ $config_common, "folder": "bench/load", "file_name": "data", "file_format": "csv" }
EOF
# The AWS CLI with the server's keys and nothing of the caller's: a script, so that
# /usr/bin/time can run it.
cat >"$work/aws" <<EOF
#!/bin/sh
exec env -u AWS_CA_BUNDLE -u AWS_PROFILE AWS_ACCESS_KEY_ID="$S3SERVER_ACCESS_KEY" \\
  AWS_SECRET_ACCESS_KEY="$S3SERVER_SECRET_KEY" AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null \\
  "$aws_bin" --endpoint-url "$S3SERVER_ENDPOINT" --region "$S3SERVER_REGION" "\$@"
EOF
chmod +x "$work/aws"
aws_cli() { "$work/aws" "$@"; }
export RCLONE_CONFIG=/dev/null RCLONE_CONFIG_RGW_TYPE=s3 RCLONE_CONFIG_RGW_PROVIDER=Ceph \
  RCLONE_CONFIG_RGW_ENDPOINT=$S3SERVER_ENDPOINT RCLONE_CONFIG_RGW_ACCESS_KEY_ID=$S3SERVER_ACCESS_KEY \
  RCLONE_CONFIG_RGW_SECRET_ACCESS_KEY=$S3SERVER_SECRET_KEY RCLONE_CONFIG_RGW_REGION=$S3SERVER_REGION

key_of() {
  case "$1" in
    put) echo bench/put/data.csv ;;
    load) echo bench/load/data.csv ;;
    aws) echo bench/aws/data.csv ;;
    rclone) echo bench/rclone/data.csv ;;
  esac
}
command_of() {
  if [[ $files -gt 1 ]]; then
    case "$1" in
      put) echo "$s3dest" put --config "$work/put.json" "$many"/* ;;
      aws) echo "$work/aws" s3 cp --only-show-errors --recursive "$many" "s3://$S3SERVER_BUCKET/bench/aws/" ;;
      rclone) echo env -u AWS_CA_BUNDLE rclone copy "$many" "rgw:$S3SERVER_BUCKET/bench/rclone/" ;;
    esac
    return
  fi
  case "$1" in
    put) echo "$s3dest" put --config "$work/put.json" "$data" ;;
    load) echo "$s3dest" load --config "$work/load.json" --input "$data" --input-format csv --no-progress ;;
    aws) echo "$work/aws" s3 cp --only-show-errors "$data" "s3://$S3SERVER_BUCKET/bench/aws/data.csv" ;;
    rclone) echo env -u AWS_CA_BUNDLE rclone copy "$data" "rgw:$S3SERVER_BUCKET/bench/rclone/" ;;
  esac
}

if [[ $profile == 1 ]]; then
  command -v valgrind >/dev/null || { echo "bench/upload.sh: --profile needs valgrind" >&2; exit 2; }
  echo "== callgrind of s3dest put ($size_mb MiB)"
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$s3dest" put --config "$work/put.json" "$data"
  callgrind_annotate --inclusive=yes "$work/callgrind.out" | head -n 60
  callgrind_annotate "$work/callgrind.out" | head -n 40
  exit 0
fi

# --- the runs --------------------------------------------------------------------------------
IFS=, read -r -a case_list <<<"$cases"
results=$work/results.tsv
: >"$results"
for ((run = 1; run <= repeat; run++)); do
  for c in "${case_list[@]}"; do
    read -r -a cmd <<<"$(command_of "$c")"
    sync
    if ! /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "${cmd[@]}" >"$work/$c.out" 2>&1; then
      tail -n 20 "$work/$c.out" >&2
      echo "bench/upload.sh: $c failed" >&2
      exit 1
    fi
    key=$(key_of "$c")
    if [[ $files -gt 1 ]]; then
      prefix=${key%/data.csv}/
      read -r count size < <(aws_cli s3api list-objects-v2 --bucket "$S3SERVER_BUCKET" --prefix "$prefix" \
        --query '[length(Contents), sum(Contents[].Size)]' --output text)
      if [[ $count != "$files" || $size != "$data_bytes" ]]; then
        echo "bench/upload.sh: $c stored $count objects of $size bytes, not $files of $data_bytes" >&2
        exit 1
      fi
    else
      size=$(aws_cli s3api head-object --bucket "$S3SERVER_BUCKET" --key "$key" --query ContentLength --output text)
      # The load rewrites the csv (same rows, its own quoting): its object differs in size.
      if [[ $c != load && $size != "$data_bytes" ]]; then
        echo "bench/upload.sh: $c stored $size bytes, not $data_bytes" >&2
        exit 1
      fi
    fi
    read -r wall user sys rss_kb <"$work/time.txt"
    printf '%s\t%s\t%s\t%s\n' "$c" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')" \
      "$((rss_kb / 1024))" >>"$results"
    printf '  run %d %-7s wall %6.2f s  cpu %6.2f s  rss %5d MB\n' "$run" "$c" "$wall" \
      "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "$((rss_kb / 1024))"
    if [[ $files -gt 1 ]]; then
      aws_cli s3 rm --only-show-errors --recursive "s3://$S3SERVER_BUCKET/${key%/data.csv}/"
    else
      aws_cli s3 rm --only-show-errors "s3://$S3SERVER_BUCKET/$key"
    fi
    # Free the deleted object's space now, not at the next garbage collection: a full
    # store makes radosgw stall the next run.
    radosgw-admin -c "$S3SERVER_CONF" gc process --include-all >/dev/null 2>&1 || true
  done
done

# --- the table: medians, and ratios to aws ----------------------------------------------------
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_of() { awk -F'\t' -v c="$1" -v k="$2" '$1 == c { print $k }' "$results" | median; }
table=$work/table.md
{
  what="a $((data_bytes / 1048576)) MiB csv file"
  [[ $files -gt 1 ]] && what="$((data_bytes / 1048576)) MiB of csv in $files files"
  echo "Upload of $what into radosgw on loopback, medians of $repeat runs" \
    "($(date -u +%Y-%m-%d), $(nproc) cores, load average before: $(cut -d' ' -f1 /proc/loadavg))"
  echo
  echo "| case | wall s | client CPU s | peak RSS MB | wall / aws | CPU / aws | RSS / aws |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  has_aws=0
  [[ ",$cases," == *",aws,"* ]] && has_aws=1
  if [[ $has_aws == 1 ]]; then
    aws_wall=$(column_of aws 2); aws_cpu=$(column_of aws 3); aws_rss=$(column_of aws 4)
  fi
  for c in "${case_list[@]}"; do
    wall=$(column_of "$c" 2); cpu=$(column_of "$c" 3); rss=$(column_of "$c" 4)
    if [[ $has_aws == 1 ]]; then
      ratios=$(awk -v w="$wall" -v c="$cpu" -v r="$rss" -v aw="$aws_wall" -v ac="$aws_cpu" -v ar="$aws_rss" \
        'BEGIN { printf "%.2f | %.2f | %.2f", w / aw, c / ac, r / ar }')
    else
      ratios="- | - | -"
    fi
    echo "| $c | $wall | $cpu | $rss | $ratios |"
  done
} >"$table"
echo
cat "$table"
[[ -z "$out_file" ]] || cp "$table" "$out_file"
