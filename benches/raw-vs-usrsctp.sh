#!/usr/bin/env bash
# Throughput of this stack (sctp-perf, release build) against usrsctp (tsctp),
# one after the other, across a veth between two network namespaces, SCTP
# over raw IP, with 1,400-byte and then 100-byte messages. Prints each result
# and the ratios ours/usrsctp for MB/s and messages/s, and, if iperf3 is
# installed, the plain UDP ceiling of the same path.
#
# Usage (as root): benches/raw-vs-usrsctp.sh [SECONDS]     (default 5)
# Environment: CARGO_TARGET_DIR, USRSCTP_BIN (default /usr/lib/usrsctp),
#              SKIP_BUILD=1 (use the existing release binary, do not run cargo),
#              BEFORE_PERF=PATH (an sctp-perf built from an earlier commit: it
#              runs too, in the same run, and the ratio new/before is printed;
#              this is how a change's effect on throughput is measured),
#              SIZES (default "1400 100").
#
# Both tools send as fast as they can with Nagle-like bundling on (their
# default). usrsctp's figures are those its tsctp server prints (bytes it
# received / time from its first to its last message); ours are those the
# sctp-perf client prints after SHUTDOWN COMPLETE (all bytes acknowledged /
# time from the first send to SHUTDOWN COMPLETE). Addresses: 198.18.0.0/15.
#
# Caveat: Debian's libusrsctp-examples is built with SCTP_DEBUG, and tsctp
# switches all debug output on (a line or more per packet), which slows
# usrsctp down considerably; its figures here are those of that build.
set -euo pipefail

SECS=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PERF=$TARGET/release/sctp-perf
TSCTP=${USRSCTP_BIN:-/usr/lib/usrsctp}/tsctp
NS_A=sctpbenchA$$
NS_B=sctpbenchB$$
IF_A=vbenA$$
IF_B=vbenB$$
B4=198.18.0.2
LOG=$(mktemp -d /tmp/raw-vs-usrsctp.XXXXXX)
PIDS=()

[[ $SECS =~ ^[0-9]+$ && $SECS -ge 1 && $SECS -le 120 ]] || { echo "SECONDS must be 1..120" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "raw-vs-usrsctp.sh: needs root (network namespaces, raw sockets)" >&2; exit 1; }
[[ -x $TSCTP ]] || { echo "missing $TSCTP (apt-get install libusrsctp-examples)" >&2; exit 1; }
if [[ -z ${SKIP_BUILD:-} ]] && command -v cargo >/dev/null 2>&1; then
    (cd "$ROOT" && cargo build --release -p sctp-examples --quiet)
fi
[[ -x $PERF ]] || { echo "missing $PERF (cargo build --release -p sctp-examples)" >&2; exit 1; }

# shellcheck source=netns-pair.sh
. "$ROOT/benches/netns-pair.sh"
kill_ns_b() { kill_ns "$NS_B"; }

cleanup() {
    local rc=$?
    kill_ns_b
    [[ -z $(ip netns pids "$NS_A" 2>/dev/null) ]] || kill $(ip netns pids "$NS_A") 2>/dev/null || true
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    if [[ $rc -ne 0 ]]; then echo "raw-vs-usrsctp.sh failed (rc=$rc); logs in $LOG" >&2; else rm -rf "$LOG"; fi
    exit "$rc"
}
trap cleanup EXIT INT TERM

inA() { ip netns exec "$NS_A" "$@"; }
inB() { ip netns exec "$NS_B" "$@"; }

netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"

# start_b NAME CMD...: a server in B, bounded in time.
start_b() {
    local name=$1
    shift
    ip netns exec "$NS_B" timeout $((SECS + 60)) "$@" >"$LOG/$name.out" 2>&1 &
    SRV=$!
    PIDS+=("$SRV")
}

# ours SIZE [BINARY] -> "MBps msgps"
ours() {
    local size=$1 perf=${2:-$PERF}
    start_b "ours-server-$size" "$perf" server --bind "$B4:5001" --once
    for _ in $(seq 100); do grep -q "listening on" "$LOG/ours-server-$size.out" && break; sleep 0.1; done
    inA timeout $((SECS + 60)) "$perf" client "$B4:5001" --size "$size" --time "$SECS" --json \
        >"$LOG/ours-client-$size.out" 2>"$LOG/ours-client-$size.err"
    wait "$SRV" || true
    tail -n 1 "$LOG/ours-client-$size.out" |
        python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["mbytes_per_sec"], d["messages_per_sec"], d["bytes"], d["seconds"])'
}

# theirs SIZE -> "MBps msgps"
theirs() {
    local size=$1
    # Debian's usrsctp is built with SCTP_DEBUG and tsctp turns all debug
    # output on: drop those lines (the client's output entirely) so that at
    # least terminal and disk writes do not slow it down further.
    ip netns exec "$NS_B" timeout $((SECS + 60)) "$TSCTP" -E 0 -p 5002 2>&1 |
        grep --line-buffered -v '^\[S\]' >"$LOG/tsctp-server-$size.out" &
    SRV=$!
    PIDS+=("$SRV")
    sleep 1
    inA timeout $((SECS + 60)) "$TSCTP" -E 0 -p 5002 -l "$size" -T "$SECS" "$B4" >/dev/null 2>&1 || true
    # The server prints: length, messages, recv calls, bytes, seconds, rate, notifications.
    local line=""
    for _ in $(seq 100); do
        line=$(grep -E "^$size, [0-9]+, [0-9]+, [0-9]+, " "$LOG/tsctp-server-$size.out" | tail -n 1 || true)
        [[ -n $line ]] && break
        sleep 0.1
    done
    kill_ns_b
    wait "$SRV" 2>/dev/null || true
    [[ -n $line ]] || { echo "tsctp server printed no result" >&2; return 1; }
    echo "$line" | awk -F', ' '{ printf "%f %f %s %s\n", $4/1e6/$5, $2/$5, $4, $5 }'
}

printf "%-9s %-8s %12s %14s %14s %9s\n" size stack "MB/s" "messages/s" bytes seconds
for size in ${SIZES:-1400 100}; do
    read -r o_mb o_msg o_bytes o_secs < <(ours "$size")
    read -r t_mb t_msg t_bytes t_secs < <(theirs "$size")
    printf "%-9s %-8s %12.2f %14.0f %14s %9.2f\n" "$size" sctp-raw "$o_mb" "$o_msg" "$o_bytes" "$o_secs"
    printf "%-9s %-8s %12.2f %14.0f %14s %9.2f\n" "$size" usrsctp "$t_mb" "$t_msg" "$t_bytes" "$t_secs"
    awk -v a="$o_mb" -v b="$t_mb" -v c="$o_msg" -v d="$t_msg" -v s="$size" \
        'BEGIN { printf "%-9s ratio ours/usrsctp: MB/s %.2f, messages/s %.2f\n", s, (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
    if [[ -n ${BEFORE_PERF:-} ]]; then
        read -r p_mb p_msg p_bytes p_secs < <(ours "$size" "$BEFORE_PERF")
        printf "%-9s %-8s %12.2f %14.0f %14s %9.2f\n" "$size" before "$p_mb" "$p_msg" "$p_bytes" "$p_secs"
        awk -v a="$o_mb" -v b="$p_mb" -v s="$size" \
            'BEGIN { printf "%-9s ratio ours/before: MB/s %.2f\n", s, (b > 0 ? a / b : 0) }'
    fi
done

if command -v iperf3 >/dev/null 2>&1; then
    inB timeout $((SECS + 20)) iperf3 -s -1 >"$LOG/iperf-server.out" 2>&1 &
    PIDS+=("$!")
    sleep 1
    echo "UDP ceiling (iperf3 -u -b 0 -l 1400):"
    inA timeout $((SECS + 20)) iperf3 -c "$B4" -u -b 0 -l 1400 -t "$SECS" | tail -n 4
else
    echo "UDP ceiling: skipped (iperf3 not installed)"
fi
