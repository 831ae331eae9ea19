#!/usr/bin/env bash
# The same program, Debian's tsctp, against itself on two libraries: once on
# Debian's libusrsctp.so.2 and once on ours (sctp-usrsctp, release build,
# loaded with LD_LIBRARY_PATH), in the same namespaces, in one run, rounds
# alternating. Prints what tsctp's server reports (messages and bytes it
# received in the time from its first to its last message) and the ratio
# ours/Debian's per round and overall.
#
# Usage (as root): benches/usrsctp-lib-vs-lib.sh [SECONDS] [ROUNDS]   (default 5 2)
# Environment: CARGO_TARGET_DIR, USRSCTP_BIN (default /usr/lib/usrsctp),
#              SKIP_BUILD=1 (use the existing release library),
#              SIZES (default "1400 100"), TRANSPORT=raw|udp (default raw).
#
# Caveat, as for raw-vs-usrsctp.sh: Debian's library is built with
# SCTP_DEBUG and tsctp switches its debug output on (a line or more per
# packet, dropped here but still formatted); that is the library Debian's
# programs load, so it is the one compared.
set -euo pipefail

SECS=${1:-5}
ROUNDS=${2:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
TSCTP=${USRSCTP_BIN:-/usr/lib/usrsctp}/tsctp
NS_A=sctplibA$$
NS_B=sctplibB$$
IF_A=vlibA$$
IF_B=vlibB$$
B4=198.18.0.2
LOG=$(mktemp -d /tmp/usrsctp-lib-vs-lib.XXXXXX)
OURS=$LOG/ours

[[ $SECS =~ ^[0-9]+$ && $SECS -ge 1 && $SECS -le 120 ]] || { echo "SECONDS must be 1..120" >&2; exit 2; }
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 && $ROUNDS -le 20 ]] || { echo "ROUNDS must be 1..20" >&2; exit 2; }
case ${TRANSPORT:-raw} in
raw) ENCAPS=(-E 0) ;;
udp) ENCAPS=(-E 9899 -U 9899) ;;
*) echo "TRANSPORT must be raw or udp" >&2; exit 2 ;;
esac
[[ $(id -u) -eq 0 ]] || { echo "usrsctp-lib-vs-lib.sh: needs root (network namespaces, raw sockets)" >&2; exit 1; }
[[ -x $TSCTP ]] || { echo "missing $TSCTP (apt-get install libusrsctp-examples)" >&2; exit 1; }
if [[ -z ${SKIP_BUILD:-} ]] && command -v cargo >/dev/null 2>&1; then
    (cd "$ROOT" && cargo build --release -p sctp-usrsctp --quiet)
fi
[[ -f $TARGET/release/libusrsctp.so ]] || { echo "missing $TARGET/release/libusrsctp.so (cargo build --release -p sctp-usrsctp)" >&2; exit 1; }
mkdir -p "$OURS"
cp "$TARGET/release/libusrsctp.so" "$OURS/libusrsctp.so.2"

# shellcheck source=netns-pair.sh
. "$ROOT/benches/netns-pair.sh"

cleanup() {
    local rc=$?
    kill_ns "$NS_B"
    kill_ns "$NS_A"
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    if [[ $rc -ne 0 ]]; then echo "usrsctp-lib-vs-lib.sh failed (rc=$rc); logs in $LOG" >&2; else rm -rf "$LOG"; fi
    exit "$rc"
}
trap cleanup EXIT INT TERM

netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"

# run LIB SIZE -> "MBps msgps bytes seconds": tsctp server in B and client
# in A, both on LIB (debian or ours).
run() {
    local lib=$1 size=$2 env=(env -u LD_LIBRARY_PATH)
    [[ $lib == ours ]] && env=(env "LD_LIBRARY_PATH=$OURS")
    local out=$LOG/$lib-$size-server.out
    ip netns exec "$NS_B" timeout $((SECS + 60)) "${env[@]}" stdbuf -oL "$TSCTP" "${ENCAPS[@]}" -p 5001 2>&1 |
        grep --line-buffered -v '^\[S\]' >"$out" &
    local srv=$!
    sleep 1
    ip netns exec "$NS_A" timeout $((SECS + 60)) "${env[@]}" "$TSCTP" "${ENCAPS[@]}" -p 5001 -l "$size" -T "$SECS" "$B4" \
        >"$LOG/$lib-$size-client.out" 2>&1 || true
    local line=""
    for _ in $(seq 150); do
        line=$(grep -E "^$size, [0-9]+, [0-9]+, [0-9]+, " "$out" | tail -n 1 || true)
        [[ -n $line ]] && break
        sleep 0.1
    done
    kill_ns "$NS_B"
    wait "$srv" 2>/dev/null || true
    [[ -n $line ]] || { echo "tsctp server on $lib printed no result" >&2; return 1; }
    # length, messages, recv calls, bytes, seconds, rate, notifications
    echo "$line" | awk -F', ' '{ printf "%f %f %s %s\n", $4/1e6/$5, $2/$5, $4, $5 }'
}

printf "%-6s %-5s %-7s %10s %12s %12s %8s\n" round size library "MB/s" messages/s bytes seconds
for size in ${SIZES:-1400 100}; do
    sum_d=0 sum_o=0
    for round in $(seq "$ROUNDS"); do
        read -r d_mb d_msg d_bytes d_secs < <(run debian "$size")
        read -r o_mb o_msg o_bytes o_secs < <(run ours "$size")
        printf "%-6s %-5s %-7s %10.2f %12.0f %12s %8.2f\n" "$round" "$size" debian "$d_mb" "$d_msg" "$d_bytes" "$d_secs"
        printf "%-6s %-5s %-7s %10.2f %12.0f %12s %8.2f\n" "$round" "$size" ours "$o_mb" "$o_msg" "$o_bytes" "$o_secs"
        sum_d=$(awk -v a="$sum_d" -v b="$d_mb" 'BEGIN { print a + b }')
        sum_o=$(awk -v a="$sum_o" -v b="$o_mb" 'BEGIN { print a + b }')
    done
    awk -v a="$sum_o" -v b="$sum_d" -v s="$size" -v t="${TRANSPORT:-raw}" \
        'BEGIN { printf "size %s over %s: ratio ours/debian (same tsctp binary) %.2f\n", s, t, (b > 0 ? a / b : 0) }'
done
