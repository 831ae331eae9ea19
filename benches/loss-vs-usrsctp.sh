#!/usr/bin/env bash
# Throughput under random packet loss, this stack (sctp-perf) against
# usrsctp (tsctp), pair to pair across a veth between two network
# namespaces, SCTP over raw IP. nftables drops N % of the SCTP packets
# entering each namespace (`meta l4proto sctp numgen random mod 100 < N
# drop`), so both directions lose, DATA and SACKs alike.
#
# For each loss rate and message size (1,400 and 100 bytes) it runs, RUNS
# times each: sctp-perf with RFC 9260's default timers, sctp-perf with
# --rto-min-ms 100, and tsctp (default timers; it has no RTO option). It
# prints the median MB/s and messages/s of each, the ratio ours/usrsctp
# (default timers on both), and for ours the longest gap between two
# deliveries at the receiver (the stall a signalling application sees;
# median over the runs, and the worst run).
#
# Usage (as root): benches/loss-vs-usrsctp.sh [SECONDS=5] [RUNS=3] [LOSSES="0 1 2 5 10 20"]
# Environment: CARGO_TARGET_DIR, USRSCTP_BIN (default /usr/lib/usrsctp),
#              PERF (an sctp-perf binary to measure instead of this tree's,
#              e.g. an older build for a before/after comparison),
#              SKIP_BUILD=1 (do not run cargo), SIZES (default "1400 100").
#
# Figures as in raw-vs-usrsctp.sh: ours are the client's (bytes acknowledged
# / time from first send to SHUTDOWN COMPLETE), usrsctp's the tsctp
# server's (bytes received / time from first to last message). A run that
# does not finish within SECONDS + 60 s counts as 0. Addresses: 198.18.0.0/15.
set -euo pipefail

SECS=${1:-5}
RUNS=${2:-3}
LOSSES=${3:-"0 1 2 5 10 20"}
SIZES=${SIZES:-"1400 100"}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PERF=${PERF:-$TARGET/release/sctp-perf}
TSCTP=${USRSCTP_BIN:-/usr/lib/usrsctp}/tsctp
NS_A=sctplossA$$
NS_B=sctplossB$$
IF_A=vlosA$$
IF_B=vlosB$$
B4=198.18.0.2
LOG=$(mktemp -d /tmp/loss-vs-usrsctp.XXXXXX)

[[ $SECS =~ ^[0-9]+$ && $SECS -ge 1 && $SECS -le 120 ]] || { echo "SECONDS must be 1..120" >&2; exit 2; }
[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 && $RUNS -le 20 ]] || { echo "RUNS must be 1..20" >&2; exit 2; }
for l in $LOSSES; do
    [[ $l =~ ^[0-9]+$ && $l -le 99 ]] || { echo "each loss must be a whole percentage 0..99, not '$l'" >&2; exit 2; }
done
[[ $(id -u) -eq 0 ]] || { echo "loss-vs-usrsctp.sh: needs root (network namespaces, raw sockets, nftables)" >&2; exit 1; }
[[ -x $TSCTP ]] || { echo "missing $TSCTP (apt-get install libusrsctp-examples)" >&2; exit 1; }
command -v nft >/dev/null || { echo "missing nft (apt-get install nftables)" >&2; exit 1; }
if [[ -z ${SKIP_BUILD:-} && $PERF == "$TARGET/release/sctp-perf" ]] && command -v cargo >/dev/null 2>&1; then
    (cd "$ROOT" && cargo build --release -p sctp-examples --quiet)
fi
[[ -x $PERF ]] || { echo "missing $PERF (cargo build --release -p sctp-examples)" >&2; exit 1; }

inA() { ip netns exec "$NS_A" "$@"; }
inB() { ip netns exec "$NS_B" "$@"; }

# shellcheck source=netns-pair.sh
. "$ROOT/benches/netns-pair.sh"

cleanup() {
    local rc=$?
    kill_ns "$NS_A"
    kill_ns "$NS_B"
    wait 2>/dev/null || true
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    if [[ $rc -ne 0 ]]; then echo "loss-vs-usrsctp.sh failed (rc=$rc); logs in $LOG" >&2; else rm -rf "$LOG"; fi
    exit "$rc"
}
trap cleanup EXIT INT TERM

netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"

# set_loss N: N % of SCTP packets into each namespace are dropped.
set_loss() {
    local ns
    for ns in "$NS_A" "$NS_B"; do
        ip netns exec "$ns" nft delete table inet bench_loss 2>/dev/null || true
        ip netns exec "$ns" nft -f - <<EOF
table inet bench_loss {
  chain input {
    type filter hook input priority 0; policy accept;
    meta l4proto sctp numgen random mod 100 < $1 drop
  }
}
EOF
    done
}

# ours SIZE [OPTIONS...] -> "MBps msgps max_gap_ms" (zeros if the run failed)
ours() {
    local size=$1 tag
    shift
    tag="ours-$size-$RANDOM"
    : >"$LOG/$tag-server.out"
    inB timeout $((SECS + 90)) "$PERF" server --bind "$B4:5001" --once --json "$@" \
        >"$LOG/$tag-server.out" 2>&1 &
    local srv=$!
    for _ in $(seq 100); do grep -q "listening on" "$LOG/$tag-server.out" && break; sleep 0.05; done
    inA timeout $((SECS + 60)) "$PERF" client "$B4:5001" --size "$size" --time "$SECS" --json \
        --grace 60 "$@" >"$LOG/$tag-client.out" 2>"$LOG/$tag-client.err" || true
    wait "$srv" 2>/dev/null || true
    python3 - "$LOG/$tag-client.out" "$LOG/$tag-server.out" <<'EOF'
import json, sys
def last_json(path):
    for line in reversed(open(path).read().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None
c, s = last_json(sys.argv[1]), last_json(sys.argv[2])
if c is None or s is None:
    print("0 0 0")
else:
    print(c["mbytes_per_sec"], c["messages_per_sec"], s.get("max_gap_ms", 0))
EOF
}

# theirs SIZE -> "MBps msgps" (zeros if the run failed)
theirs() {
    local size=$1 tag line=""
    tag="tsctp-$size-$RANDOM"
    # Debian's usrsctp is built with SCTP_DEBUG and tsctp turns all debug
    # output on: drop those lines so terminal and disk writes slow it less.
    inB timeout $((SECS + 90)) "$TSCTP" -E 0 -p 5002 2>&1 |
        grep --line-buffered -v '^\[S\]' >"$LOG/$tag-server.out" &
    sleep 1
    inA timeout $((SECS + 60)) "$TSCTP" -E 0 -p 5002 -l "$size" -T "$SECS" "$B4" >/dev/null 2>&1 || true
    # The server prints: length, messages, recv calls, bytes, seconds, rate, notifications.
    for _ in $(seq 300); do
        line=$(grep -E "^$size, [0-9]+, [0-9]+, [0-9]+, " "$LOG/$tag-server.out" | tail -n 1 || true)
        [[ -n $line ]] && break
        sleep 0.1
    done
    kill_ns "$NS_B"
    wait 2>/dev/null || true
    if [[ -z $line ]]; then echo "0 0"; return; fi
    echo "$line" | awk -F', ' '{ printf "%f %f\n", $4/1e6/$5, $2/$5 }'
}

# median: the median of the numbers on standard input.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { awk -v c="$1" '{ print $c }'; }
maximum() { sort -g | tail -n 1; }

echo "loss-vs-usrsctp: $SECS s per run, median of $RUNS, losses: $LOSSES %, sizes: $SIZES bytes; sctp-perf: $PERF"
printf "%-5s %-5s | %10s %11s %9s %9s | %10s %11s %9s | %10s %11s | %8s %8s\n" \
    size loss "ours MB/s" "ours msg/s" "gap ms" "worst" "rto100MB/s" "rto100 msg/s" "gap ms" \
    "tsctp MB/s" "tsctp msg/s" "MB/s x" "msg/s x"
for size in $SIZES; do
    for loss in $LOSSES; do
        set_loss "$loss"
        : >"$LOG/d" ; : >"$LOG/r" ; : >"$LOG/t"
        for _ in $(seq "$RUNS"); do
            ours "$size" >>"$LOG/d"
            ours "$size" --rto-min-ms 100 >>"$LOG/r"
            theirs "$size" >>"$LOG/t"
        done
        d_mb=$(column 1 <"$LOG/d" | median); d_msg=$(column 2 <"$LOG/d" | median)
        d_gap=$(column 3 <"$LOG/d" | median); d_worst=$(column 3 <"$LOG/d" | maximum)
        r_mb=$(column 1 <"$LOG/r" | median); r_msg=$(column 2 <"$LOG/r" | median)
        r_gap=$(column 3 <"$LOG/r" | median)
        t_mb=$(column 1 <"$LOG/t" | median); t_msg=$(column 2 <"$LOG/t" | median)
        awk -v s="$size" -v l="$loss" -v dm="$d_mb" -v dn="$d_msg" -v dg="$d_gap" -v dw="$d_worst" \
            -v rm="$r_mb" -v rn="$r_msg" -v rg="$r_gap" -v tm="$t_mb" -v tn="$t_msg" 'BEGIN {
            printf "%-5s %-5s | %10.2f %11.0f %9.1f %9.1f | %10.2f %11.0f %9.1f | %10.2f %11.0f | %8s %8s\n",
                s, l "%", dm, dn, dg, dw, rm, rn, rg, tm, tn,
                (tm > 0 ? sprintf("%.2f", dm / tm) : "n/a"), (tn > 0 ? sprintf("%.2f", dn / tn) : "n/a") }'
    done
done
