#!/usr/bin/env bash
# A real S3 server for the tests: a one-node Ceph cluster (ceph-mon, ceph-osd on memstore,
# radosgw with the beast frontend) on 127.0.0.1, in a folder of its own. Facts behind every
# setting: ../../../shared/notes/ceph-radosgw.md.
#
#   radosgw.sh start DIR   start a cluster in DIR (made fresh), wait until S3 answers, and
#                          write DIR/env.sh and DIR/env.json (see the end of this comment)
#   radosgw.sh stop DIR    kill the PIDs recorded in DIR, then remove DIR
#   radosgw.sh env DIR     print DIR/env.sh of a running cluster
#
# start on a folder whose cluster is still running prints its env.sh and does nothing else;
# on a folder left by a dead cluster it stops what is left and starts afresh. stop on a
# folder that does not exist does nothing. Both exit 0 on success.
#
# Environment (all optional):
#   S3SERVER_MEMSTORE_MB   the OSD's capacity, held in RAM as objects are written
#                          (default 2048; deleted objects are freed by radosgw's
#                          garbage collection, here after about a minute)
#   S3SERVER_OWNER_PID     stop the cluster and remove DIR when this process exits (a
#                          test passes its own PID so a crash leaves nothing running)
#   S3SERVER_TIMEOUT       seconds to wait for each daemon (default 60)
#   S3SERVER_STS           1 (default): S3 requests may carry STS session tokens. 0: they
#                          may not; then a bad signature gets SignatureDoesNotMatch or
#                          InvalidAccessKeyId, which with STS on are both AccessDenied
#
# What the cluster holds, and env.sh exports (env.json has the same names and values):
#   S3SERVER_ENDPOINT        http://127.0.0.1:PORT (S3, STS and IAM; path-style addressing)
#   S3SERVER_TLS_ENDPOINT    https://127.0.0.1:PORT: the same over TLS, with a certificate
#   S3SERVER_CA_BUNDLE       made for 127.0.0.1 at start, signed by itself: this PEM file
#   S3SERVER_REGION          us-east-1 (radosgw accepts any region in the signature scope)
#   S3SERVER_ACCESS_KEY      the test user's keys; the user has caps roles=*;users=*
#   S3SERVER_SECRET_KEY
#   S3SERVER_USER            its uid, and its ARN (for trust policies)
#   S3SERVER_USER_ARN
#   S3SERVER_BUCKET          a bucket the test user owns
#   S3SERVER_KMS_KEY_ID      testkey: an SSE-KMS key id the server knows (testing backend)
#   S3SERVER_STS             1 or 0, as S3SERVER_STS above
#   S3SERVER_STORAGE_CLASS   STANDARD_IA: a storage class besides STANDARD, with its own pool
#   S3SERVER_WRITER_ACCESS_KEY, S3SERVER_WRITER_SECRET_KEY, S3SERVER_WRITER,
#   S3SERVER_WRITER_ARN      a second user, owning nothing and with no caps: it may do only
#                            what a bucket policy of the test user's grants it
#   S3SERVER_ROLE_A_ARN      trusts the test user; may do s3:* on the bucket (only)
#   S3SERVER_ROLE_B_ARN      trusts role A's sessions (not the user); s3:* on the bucket.
#                            Its trust policy names arn:aws:iam:::role/s3dest-role-a,
#                            which radosgw 16.2 matches for any session of role A (it also
#                            accepts arn:aws:sts:::assumed-role/s3dest-role-a/SESSION for
#                            one session name)
#   S3SERVER_ROLE_REFUSED_ARN  trusts nobody the tests have: assuming it is refused
#   S3SERVER_DIR, S3SERVER_CONF (ceph.conf, for radosgw-admin -c), S3SERVER_LOGS
#   S3SERVER_MON_PID, S3SERVER_OSD_PID, S3SERVER_RGW_PID, S3SERVER_WATCHDOG_PID (empty
#   without S3SERVER_OWNER_PID), S3SERVER_PIDS (all of them, space separated)
set -euo pipefail

readonly ACCESS_KEY=S3DESTTESTACCESSKEY0
readonly SECRET_KEY=s3dest-test-secret-0123456789abcdefghijk
readonly USER_ID=s3dest-test
readonly BUCKET=s3dest-test
readonly REGION=us-east-1
readonly SECOND_STORAGE_CLASS=STANDARD_IA
readonly WRITER_ID=s3dest-writer
readonly WRITER_ACCESS_KEY=S3DESTWRITERACCESSK1
readonly WRITER_SECRET_KEY=s3dest-writer-secret-0123456789abcdefgh
readonly ROLE_A=s3dest-role-a
readonly ROLE_B=s3dest-role-b
readonly ROLE_REFUSED=s3dest-role-refused
# The testing KMS backend's key "testkey": 32 fixed bytes, base64.
readonly KMS_KEY=czNkZXN0LXRlc3Qta21zLWtleS0zMi1ieXRlcy0wMDA= # "s3dest-test-kms-key-32-bytes-000"
readonly STS_KEY=s3dest-sts-key16 # exactly 16 characters

die() { echo "radosgw.sh: error: $*" >&2; exit 1; }
say() { [ -n "${S3SERVER_QUIET:-}" ] || echo "radosgw.sh: $*" >&2; }
now_ms() { date +%s%3N; }

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------------------------------
# PIDs: recorded in DIR/pids as "NAME PID" lines; a PID is only signalled while its
# command line still names DIR (so a reused PID is never hit).

pid_is_ours() { # DIR PID
  [ -r "/proc/$2/cmdline" ] && tr '\0' ' ' <"/proc/$2/cmdline" 2>/dev/null | grep -qF -- "$1/"
}

# SIGKILL: the data is throwaway, and nothing needs a clean shutdown.
kill_if_ours() { # DIR PID
  if pid_is_ours "$1" "$2"; then kill -KILL "$2" 2>/dev/null || true; fi
}

record_pid() { echo "$2 $3" >>"$1/pids"; }

kill_recorded() { # DIR
  local dir=$1 name pid
  [ -f "$dir/pids" ] || return 0
  # The watchdog goes first: it would otherwise remove DIR under our feet.
  while read -r name pid; do
    if [ "$name" = watchdog ]; then kill_if_ours "$dir" "$pid"; fi
  done <"$dir/pids"
  while read -r name pid; do
    if [ "$name" != watchdog ]; then kill_if_ours "$dir" "$pid"; fi
  done <"$dir/pids"
  # Wait (briefly) until they are gone, so the ports and memory are free when we return.
  local deadline=$(($(now_ms) + 5000))
  while read -r name pid; do
    while pid_is_ours "$dir" "$pid" && [ "$(now_ms)" -lt "$deadline" ]; do sleep 0.05; done
  done <"$dir/pids"
}

all_running() { # DIR: every recorded daemon is alive
  local dir=$1 name pid n=0
  [ -f "$dir/pids" ] && [ -f "$dir/env.sh" ] || return 1
  while read -r name pid; do
    pid_is_ours "$dir" "$pid" || return 1
    n=$((n + 1))
  done <"$dir/pids"
  [ "$n" -ge 3 ]
}

# ---------------------------------------------------------------------------------------
# Failure: say what failed, show the end of the logs (those of the step that failed first
# and longest), stop what was started. PHASE names the step under way.

PHASE=mon
phase_logs() { # PHASE: the logs of that step, as globs under DIR/log
  case "$1" in
    mon) echo "mon.out mon.a.log mon-mkfs.out monmaptool.out" ;;
    osd) echo "osd.out osd.*.log osd-mkfs.out osd-new.out" ;;
    rgw) echo "rgw.out client.rgw.a.log" ;;
    provision) echo "provision.out user-create.out client.rgw.a.log" ;;
  esac
}

fail() {
  echo "radosgw.sh: error: $*" >&2
  local pattern log lines shown=" "
  for pattern in $(phase_logs "$PHASE") '*.log' '*.out'; do
    for log in "$DIR"/log/$pattern; do
      [ -s "$log" ] && [[ "$shown" != *" $log "* ]] || continue
      shown+="$log "
      lines=6
      [[ " $(phase_logs "$PHASE") " != *" ${pattern} "* ]] || lines=30
      echo "---- last $lines lines of $log" >&2
      tail -n "$lines" "$log" | cut -c1-400 >&2
    done
  done
  echo "radosgw.sh: error: $* (logs kept in $DIR/log; 'radosgw.sh stop $DIR' removes them)" >&2
  kill_recorded "$DIR"
  exit 1
}

port_free() { # PORT
  python3 - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

# A free port below Linux's ephemeral range (32768+), so no outgoing connection takes it
# between our check and the daemon's bind.
free_port() {
  local p i
  for i in $(seq 1 200); do
    p=$((10000 + RANDOM % 22000))
    if port_free "$p"; then echo "$p"; return 0; fi
  done
  return 1
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Running, and not a zombie (kill -0 succeeds on those, and a container's PID 1 may never
# reap the daemons it inherits).
alive() { # PID
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

ceph_() { ceph -c "$DIR/ceph.conf" --connect-timeout 15 "$@"; }

# Starts a daemon in the foreground mode (-f) as a background job of ours: its PID is the
# daemon's own. stdin, stdout and stderr are files, so a caller that waits for our output
# (a test's spawnSync) is not held open by the daemons.
spawn() { # NAME COMMAND...
  local name=$1; shift
  "$@" </dev/null >>"$DIR/log/$name.out" 2>&1 &
  LAST_PID=$!
  disown "$LAST_PID" # no "Killed" notices from this shell when stop or fail kills it
  record_pid "$DIR" "$name" "$LAST_PID"
}

write_conf() {
  local mon_port=$1 rgw_port=$2 memstore_mb=$3 tls_port=$4 sts=true
  [ "${S3SERVER_STS:-1}" != 0 ] || sts=false
  cat >"$DIR/ceph.conf" <<EOF
# Written by tests/s3server/radosgw.sh: a throwaway one-node cluster on loopback.
[global]
fsid = $FSID
mon host = v1:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind msgr2 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
keyring = /dev/null
run dir = $DIR/run
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.pid
log file = $DIR/log/\$name.log
mon cluster log file = $DIR/log/cluster.log
crash dir = $DIR/crash
log to stderr = false
err to stderr = true
# One replica on one OSD.
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
# Start-up takes ~14 s with the default Paxos timings, ~3.5 s with these.
paxos propose interval = 0.1
paxos min wait = 0.01
# Never stop the monitor for a nearly full disk: the data lives in RAM anyway.
mon data avail crit = 0
mon data avail warn = 0

[mon]
mon data = $DIR/mon.\$id

[osd]
osd data = $DIR/osd.\$id
osd objectstore = memstore
memstore device bytes = $((memstore_mb * 1024 * 1024))

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port ssl_endpoint=127.0.0.1:$tls_port ssl_certificate=$DIR/tls/cert.pem ssl_private_key=$DIR/tls/key.pem
rgw data = $DIR/rgw
# STS AssumeRole, and temporary credentials on S3 requests.
rgw s3 auth use sts = $sts
rgw sts key = $STS_KEY
# SSE-KMS without a key server: keys listed here; plain http allowed for a test.
rgw crypt s3 kms backend = testing
rgw crypt s3 kms encryption keys = testkey=$KMS_KEY
rgw crypt require ssl = false
# Free deleted objects' space within a minute rather than hours (memstore is RAM).
rgw gc obj min wait = 30
rgw gc processor period = 30
rgw dynamic resharding = false
EOF
}

# Waits until COMMAND succeeds; fails if the daemon PID dies first or time runs out.
wait_until() { # WHAT PID COMMAND...
  local what=$1 pid=$2; shift 2
  local deadline=$(($(now_ms) + ${S3SERVER_TIMEOUT:-60} * 1000))
  until "$@" >/dev/null 2>&1; do
    alive "$pid" || fail "$what: the daemon (PID $pid) exited"
    [ "$(now_ms)" -lt "$deadline" ] || fail "$what: not ready after ${S3SERVER_TIMEOUT:-60} s"
    sleep 0.1
  done
}

start() {
  local t0 mon_port rgw_port tls_port memstore_mb osd_uuid osd_id
  t0=$(now_ms)
  if all_running "$DIR"; then
    say "already running in $DIR"
    cat "$DIR/env.sh"
    return 0
  fi
  if [ -e "$DIR" ]; then
    [ -f "$DIR/pids" ] || [ -f "$DIR/ceph.conf" ] || [ -z "$(ls -A "$DIR")" ] ||
      die "$DIR holds files that are not a cluster's: give an empty or new folder"
    kill_recorded "$DIR"
    rm -rf "$DIR"
  fi
  for cmd in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph curl python3 openssl; do
    command -v "$cmd" >/dev/null ||
      die "$cmd not found: install the test dependencies with 'bash tools/install_deps.sh --test'"
  done
  [[ "${S3SERVER_TIMEOUT:-60}" =~ ^[1-9][0-9]*$ ]] || die "S3SERVER_TIMEOUT must be a whole number of seconds, not '$S3SERVER_TIMEOUT'"
  memstore_mb=${S3SERVER_MEMSTORE_MB:-2048}
  [[ "$memstore_mb" =~ ^[0-9]+$ ]] && [ "$memstore_mb" -ge 64 ] ||
    die "S3SERVER_MEMSTORE_MB must be a whole number of MiB, at least 64, not '$memstore_mb'"
  [[ "${S3SERVER_STS:-1}" =~ ^[01]$ ]] || die "S3SERVER_STS must be 0 or 1, not '$S3SERVER_STS'"

  mkdir -p "$DIR"
  DIR=$(cd "$DIR" && pwd -P)
  mkdir -p "$DIR/run" "$DIR/log" "$DIR/crash" "$DIR/mon.a" "$DIR/rgw"
  : >"$DIR/pids"
  FSID=$(cat /proc/sys/kernel/random/uuid)
  mon_port=$(free_port) || fail "no free port for the monitor"
  rgw_port=$(free_port) || fail "no free port for radosgw"
  [ "$mon_port" != "$rgw_port" ] || rgw_port=$(free_port)
  tls_port=$(free_port) || fail "no free port for radosgw's TLS endpoint"
  while [ "$tls_port" = "$mon_port" ] || [ "$tls_port" = "$rgw_port" ]; do tls_port=$(free_port); done
  TLS_PORT=$tls_port
  # A certificate for 127.0.0.1 that is its own CA: clients trust it through
  # S3SERVER_CA_BUNDLE (AWS_CA_BUNDLE, --ca-bundle), as a private CA's.
  mkdir -p "$DIR/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 -keyout "$DIR/tls/key.pem" -out "$DIR/tls/cert.pem" \
    >"$DIR/log/openssl.out" 2>&1 || fail "making the TLS certificate failed: $(tail -c 600 "$DIR/log/openssl.out")"
  write_conf "$mon_port" "$rgw_port" "$memstore_mb" "$tls_port"

  # Monitor.
  monmaptool --create --fsid "$FSID" --addv a "v1:127.0.0.1:$mon_port" "$DIR/monmap" >"$DIR/log/monmaptool.out" 2>&1 ||
    fail "monmaptool failed"
  ceph-mon -c "$DIR/ceph.conf" -i a --mkfs --monmap "$DIR/monmap" >"$DIR/log/mon-mkfs.out" 2>&1 ||
    fail "ceph-mon --mkfs failed"
  spawn mon ceph-mon -c "$DIR/ceph.conf" -i a -f
  MON_PID=$LAST_PID
  wait_until "ceph-mon on port $mon_port" "$MON_PID" listening "$mon_port"

  # OSD.
  PHASE=osd
  osd_uuid=$(cat /proc/sys/kernel/random/uuid)
  # The client side of the start race in the notes: a command sent as the monitor's session
  # comes up can be refused ("problem getting command descriptions from mon", EPERM; the
  # monitor logs "handle_command on fsid 0000..."). 'osd new' with the same UUID is
  # idempotent, so it is simply sent again.
  local tries=0
  until osd_id=$(ceph_ osd new "$osd_uuid" 2>>"$DIR/log/osd-new.out"); do
    tries=$((tries + 1))
    [ "$tries" -lt 5 ] || fail "ceph osd new failed $tries times"
    say "ceph osd new was refused while the monitor started (the known start race); sending it again"
    sleep 0.2
  done
  mkdir -p "$DIR/osd.$osd_id"
  ceph-osd -c "$DIR/ceph.conf" -i "$osd_id" --mkfs --osd-uuid "$osd_uuid" >"$DIR/log/osd-mkfs.out" 2>&1 ||
    fail "ceph-osd --mkfs failed"
  spawn osd ceph-osd -c "$DIR/ceph.conf" -i "$osd_id" -f
  OSD_PID=$LAST_PID

  # Wait for the OSD to boot, watching for the start race of the notes: its first monitor
  # commands can go out before its session is up; it logs "wrong fsid" and exits. Started
  # again, it comes up. (radosgw is started only then: started alongside, its first
  # requests to a dead OSD wait ~5 s for the objecter to notice the new one.)
  local deadline=$(($(now_ms) + ${S3SERVER_TIMEOUT:-60} * 1000)) restarts=0
  until grep -q 'state: booting -> active' "$DIR/log/osd.$osd_id.log" 2>/dev/null; do
    if ! alive "$OSD_PID"; then
      restarts=$((restarts + 1))
      [ "$restarts" -le 10 ] || fail "ceph-osd exited $restarts times while starting"
      say "ceph-osd exited while starting (the known start race); starting it again"
      sed -i "/^osd $OSD_PID\$/d" "$DIR/pids"
      spawn osd ceph-osd -c "$DIR/ceph.conf" -i "$osd_id" -f
      OSD_PID=$LAST_PID
    fi
    alive "$MON_PID" || fail "ceph-mon (PID $MON_PID) exited"
    [ "$(now_ms)" -lt "$deadline" ] || fail "ceph-osd did not boot within ${S3SERVER_TIMEOUT:-60} s"
    sleep 0.05
  done
  say "ceph-osd up after $(($(now_ms) - t0)) ms (restarts: $restarts)"

  PHASE=rgw
  start_radosgw "$rgw_port" "$deadline"
  # radosgw makes the default zone on its first start and reads it only then: the second
  # storage class is added to it now, and radosgw started again.
  add_storage_class
  # SIGTERM, so it drops its watches: those of a killed radosgw would hold every later
  # radosgw-admin change for 30 s, until the OSD gives up on them.
  kill -TERM "$RGW_PID"
  while alive "$RGW_PID"; do sleep 0.02; done
  sed -i "/^rgw $RGW_PID\$/d" "$DIR/pids"
  start_radosgw "$rgw_port" "$deadline"
  say "radosgw answers on 127.0.0.1:$rgw_port after $(($(now_ms) - t0)) ms"

  provision "$rgw_port"

  local watchdog_pid=""
  if [ -n "${S3SERVER_OWNER_PID:-}" ]; then
    alive "$S3SERVER_OWNER_PID" || fail "S3SERVER_OWNER_PID $S3SERVER_OWNER_PID is not running"
    # The watchdog's command line names DIR, so stop can recognise it.
    spawn watchdog bash "$0" watch "$DIR/" "$S3SERVER_OWNER_PID"
    watchdog_pid=$LAST_PID
  fi

  write_env "$rgw_port" "$watchdog_pid"
  say "started in $(($(now_ms) - t0)) ms; environment in $DIR/env.sh"
  cat "$DIR/env.sh"
}

start_radosgw() { # PORT DEADLINE_MS
  spawn rgw radosgw -c "$DIR/ceph.conf" -n client.rgw.a -f
  RGW_PID=$LAST_PID
  until curl --noproxy "*" -s -o /dev/null "http://127.0.0.1:$1/"; do
    alive "$RGW_PID" || fail "radosgw (PID $RGW_PID) exited while starting"
    alive "$OSD_PID" || fail "ceph-osd (PID $OSD_PID) exited"
    alive "$MON_PID" || fail "ceph-mon (PID $MON_PID) exited"
    [ "$(now_ms)" -lt "$2" ] || fail "radosgw did not answer on port $1 within ${S3SERVER_TIMEOUT:-60} s"
    sleep 0.05
  done
}

# A second storage class in the default placement, with a pool of its own, so objects can
# be written with x-amz-storage-class (radosgw refuses a class its placement lacks).
add_storage_class() {
  local admin=(radosgw-admin -c "$DIR/ceph.conf")
  "${admin[@]}" zonegroup placement add --rgw-zonegroup default --placement-id default-placement \
    --storage-class "$SECOND_STORAGE_CLASS" >"$DIR/log/placement.out" 2>&1 &&
    "${admin[@]}" zone placement add --rgw-zone default --placement-id default-placement \
      --storage-class "$SECOND_STORAGE_CLASS" --data-pool default.rgw.cold.data >>"$DIR/log/placement.out" 2>&1 ||
    fail "adding storage class $SECOND_STORAGE_CLASS failed: $(tail -n 5 "$DIR/log/placement.out")"
}

# Signed requests with curl (much faster than starting the AWS CLI for each). S3 wants
# x-amz-content-sha256, which curl 7.88 does not add by itself.
signed() { # SERVICE CURL-ARGS...
  local service=$1; shift
  local -a extra=()
  [ "$service" != s3 ] || extra=(-H "x-amz-content-sha256: UNSIGNED-PAYLOAD")
  curl --noproxy "*" -sS --fail-with-body --aws-sigv4 "aws:amz:$REGION:$service" --user "$ACCESS_KEY:$SECRET_KEY" \
    "${extra[@]}" "$@"
}

iam() { # ACTION NAME=VALUE...
  local action=$1; shift
  local args=(--data-urlencode "Action=$action" --data-urlencode "Version=2010-05-08")
  local kv
  for kv in "$@"; do args+=(--data-urlencode "$kv"); done
  signed iam -X POST "${args[@]}" "$ENDPOINT/" >>"$DIR/log/provision.out" 2>&1 ||
    fail "IAM $action failed: $(tail -c 600 "$DIR/log/provision.out")"
  echo >>"$DIR/log/provision.out"
}

provision() { # RGW_PORT
  PHASE=provision
  ENDPOINT="http://127.0.0.1:$1"
  radosgw-admin -c "$DIR/ceph.conf" user create --uid="$USER_ID" --display-name="s3dest tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" --caps="roles=*;users=*" \
    >"$DIR/log/user-create.out" 2>&1 || fail "radosgw-admin user create failed: $(tail -n 5 "$DIR/log/user-create.out")"

  # A user with no bucket and no caps: what another account's writer is to a bucket owner,
  # allowed only what the owner's bucket policy grants it.
  radosgw-admin -c "$DIR/ceph.conf" user create --uid="$WRITER_ID" --display-name="s3dest writer" \
    --access-key="$WRITER_ACCESS_KEY" --secret-key="$WRITER_SECRET_KEY" \
    >>"$DIR/log/user-create.out" 2>&1 || fail "radosgw-admin user create $WRITER_ID failed: $(tail -n 5 "$DIR/log/user-create.out")"

  signed s3 -X PUT "$ENDPOINT/$BUCKET" >>"$DIR/log/provision.out" 2>&1 ||
    fail "creating bucket $BUCKET failed: $(tail -c 600 "$DIR/log/provision.out")"

  local s3_all
  s3_all='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::'$BUCKET'","arn:aws:s3:::'$BUCKET'/*"]}]}'
  iam CreateRole "RoleName=$ROLE_A" \
    'AssumeRolePolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/'$USER_ID'"]},"Action":["sts:AssumeRole"]}]}'
  iam PutRolePolicy "RoleName=$ROLE_A" PolicyName=s3-on-bucket "PolicyDocument=$s3_all"
  iam CreateRole "RoleName=$ROLE_B" \
    'AssumeRolePolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::role/'$ROLE_A'"]},"Action":["sts:AssumeRole"]}]}'
  iam PutRolePolicy "RoleName=$ROLE_B" PolicyName=s3-on-bucket "PolicyDocument=$s3_all"
  iam CreateRole "RoleName=$ROLE_REFUSED" \
    'AssumeRolePolicyDocument={"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/nobody-at-all"]},"Action":["sts:AssumeRole"]}]}'
  iam PutRolePolicy "RoleName=$ROLE_REFUSED" PolicyName=s3-on-bucket "PolicyDocument=$s3_all"
}

write_env() { # RGW_PORT WATCHDOG_PID
  local pids
  pids=$(awk '{print $2}' "$DIR/pids" | paste -sd' ')
  local -a names=(DIR CONF LOGS ENDPOINT TLS_ENDPOINT CA_BUNDLE REGION ACCESS_KEY SECRET_KEY USER USER_ARN BUCKET KMS_KEY_ID STS
    STORAGE_CLASS WRITER_ACCESS_KEY WRITER_SECRET_KEY WRITER WRITER_ARN ROLE_A_ARN ROLE_B_ARN ROLE_REFUSED_ARN MON_PID OSD_PID RGW_PID WATCHDOG_PID PIDS)
  local -a values=("$DIR" "$DIR/ceph.conf" "$DIR/log" "http://127.0.0.1:$1" "https://127.0.0.1:$TLS_PORT"
    "$DIR/tls/cert.pem" "$REGION" "$ACCESS_KEY"
    "$SECRET_KEY" "$USER_ID" "arn:aws:iam:::user/$USER_ID" "$BUCKET" testkey "${S3SERVER_STS:-1}"
    "$SECOND_STORAGE_CLASS" "$WRITER_ACCESS_KEY" "$WRITER_SECRET_KEY" "$WRITER_ID" "arn:aws:iam:::user/$WRITER_ID"
    "arn:aws:iam:::role/$ROLE_A" "arn:aws:iam:::role/$ROLE_B" "arn:aws:iam:::role/$ROLE_REFUSED"
    "$MON_PID" "$OSD_PID" "$RGW_PID" "$2" "$pids")
  local i json="{"
  {
    echo "# Written by tests/s3server/radosgw.sh start; 'radosgw.sh stop $DIR' ends it."
    for i in "${!names[@]}"; do
      printf 'export S3SERVER_%s=%q\n' "${names[$i]}" "${values[$i]}"
    done
  } >"$DIR/env.sh.tmp"
  local v
  for i in "${!names[@]}"; do
    v=${values[$i]//\\/\\\\}
    v=${v//\"/\\\"}
    [ "$i" -eq 0 ] || json+=","
    json+=$'\n  '"\"S3SERVER_${names[$i]}\": \"$v\""
  done
  printf '%s\n}\n' "$json" >"$DIR/env.json.tmp"
  mv "$DIR/env.json.tmp" "$DIR/env.json"
  mv "$DIR/env.sh.tmp" "$DIR/env.sh"
}

stop() {
  [ -e "$DIR" ] || return 0
  DIR=$(cd "$DIR" && pwd -P)
  [ -f "$DIR/pids" ] || [ -f "$DIR/ceph.conf" ] || [ -z "$(ls -A "$DIR")" ] ||
    die "$DIR does not look like a radosgw.sh folder (no pids, no ceph.conf): not removing it"
  kill_recorded "$DIR"
  rm -rf "$DIR"
}

# The watchdog: once the owner is gone, stop the cluster.
watch() { # DIR OWNER_PID
  local owner=$2
  while alive "$owner"; do sleep 1; done
  local name pid
  while read -r name pid; do
    if [ "$name" != watchdog ]; then kill_if_ours "$DIR" "$pid"; fi
  done <"$DIR/pids"
  sleep 0.5
  rm -rf "$DIR"
}

[ $# -ge 2 ] || usage
command=$1
DIR=${2%/}
[ -n "$DIR" ] && [ "$DIR" != / ] || die "DIR must be a folder of its own, not '$2'"
case "$command" in
  start) start ;;
  stop) stop ;;
  env) all_running "$DIR" || die "no running cluster in $DIR"; cat "$DIR/env.sh" ;;
  watch) [ $# -eq 3 ] || usage; DIR=$(cd "$DIR" && pwd -P); watch "$DIR" "$3" ;;
  *) usage ;;
esac
