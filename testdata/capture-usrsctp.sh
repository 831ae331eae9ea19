#!/usr/bin/env bash
# Captures real usrsctp traffic for sctp-core's golden-capture test
# (sctp-core/tests/golden_captures.rs). See testdata/README.md.
#
# Two network namespaces joined by a veth pair, addresses from the benchmarking
# range 198.18.0.0/15 and fd00::/8 only; usrsctp's example programs talk SCTP
# over raw IP (UDP encapsulation port 0) and tshark records the veth of the
# first namespace. Everything is torn down on exit, failure included.
#
# Usage (as root): testdata/capture-usrsctp.sh [OUTDIR]   (default: testdata/)
# CAPTURES="echo ipv6 tsctp prsctp errors" selects captures (default: all).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "${1:-$HERE}" && pwd)
BIN=${USRSCTP_BIN:-/usr/lib/usrsctp}
NS_A=sctpcapA$$
NS_B=sctpcapB$$
IF_A=vcapA$$
IF_B=vcapB$$
A4=198.18.0.1
B4=198.18.0.2
A6=fd00:5c7b::1
B6=fd00:5c7b::2
CAPTURES=${CAPTURES:-echo ipv6 tsctp prsctp errors}
LOG=$(mktemp -d /tmp/capture-usrsctp.XXXXXX)
PIDS=()

[[ $(id -u) -eq 0 ]] || { echo "capture-usrsctp.sh: needs root (netns, raw sockets)" >&2; exit 1; }
for p in echo_server client tsctp; do
    [[ -x $BIN/$p ]] || { echo "missing $BIN/$p (apt-get install libusrsctp-examples)" >&2; exit 1; }
done
command -v tshark >/dev/null || { echo "missing tshark" >&2; exit 1; }
command -v python3 >/dev/null || { echo "missing python3 (for sctp-inject.py)" >&2; exit 1; }
want() { [[ " $CAPTURES " == *" $1 "* ]]; }

cleanup() {
    local rc=$?
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    if [[ $rc -ne 0 ]]; then
        echo "capture-usrsctp.sh failed (rc=$rc); logs kept in $LOG" >&2
    else
        rm -rf "$LOG"
    fi
    exit "$rc"
}
trap cleanup EXIT

inA() { ip netns exec "$NS_A" "$@"; }
inB() { ip netns exec "$NS_B" "$@"; }

# --- topology -------------------------------------------------------------
ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "$IF_A" netns "$NS_A" type veth peer name "$IF_B" netns "$NS_B"
inA ip link set lo up
inB ip link set lo up
inA ip addr add "$A4/24" dev "$IF_A"
inB ip addr add "$B4/24" dev "$IF_B"
inA ip -6 addr add "$A6/64" dev "$IF_A" nodad
inB ip -6 addr add "$B6/64" dev "$IF_B" nodad
inA ip link set "$IF_A" up
inB ip link set "$IF_B" up
sleep 1

# start_capture NAME SECONDS: tshark on A's veth, SCTP only, bounded.
start_capture() {
    local file=$OUT/$1
    CAP_FILE=$file
    rm -f "$file"
    # Not via inA: $! must be the capture itself (ip netns exec execs timeout).
    ip netns exec "$NS_A" timeout $(($2 + 10)) tshark -q -i "$IF_A" -f sctp -w "$file" -F pcap \
        -a "duration:$2" -c 400 >"$LOG/$1.tshark" 2>&1 &
    CAP_PID=$!
    PIDS+=("$CAP_PID")
    # Wait until dumpcap is really capturing.
    for _ in $(seq 50); do
        grep -q "Capturing on" "$LOG/$1.tshark" 2>/dev/null && break
        sleep 0.1
    done
    sleep 0.5
}

# stop_capture: ends the capture (SIGINT, forwarded by timeout) so dumpcap closes the file.
stop_capture() {
    sleep 1
    kill -INT "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" 2>/dev/null || true
    chmod 0644 "$CAP_FILE"
}

# start_in_b NAME CMD...: runs a server in namespace B in the background.
start_in_b() {
    local name=$1
    shift
    ip netns exec "$NS_B" timeout 120 "$@" >"$LOG/$name.log" 2>&1 &
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    sleep 1
}

stop_server() {
    kill "$SRV_PID" 2>/dev/null || true  # timeout passes SIGTERM on
    wait "$SRV_PID" 2>/dev/null || true
}

# --- 1. client <-> echo_server over IPv4, with an idle gap for HEARTBEATs -----
# echo_server ARG1=0: local UDP encapsulation port 0, i.e. raw SCTP; listens on port 7.
# client remote_addr remote_port local_port local_encaps_port: all raw as well.
if want echo; then
echo "== usrsctp-echo.pcap (IPv4 client <-> echo_server, ~45 s)"
start_capture usrsctp-echo.pcap 60
start_in_b echo_server "$BIN/echo_server" 0
{ echo "hello from usrsctp client"; sleep 1; echo "second line"; sleep 40; echo "after idle"; sleep 1; } |
    inA timeout 60 "$BIN/client" "$B4" 7 0 0 >"$LOG/echo-client.log" 2>&1 || true
stop_server
stop_capture
fi

# --- 2. the same over IPv6 (fd00::/8), short ----------------------------------
if want ipv6; then
echo "== usrsctp-echo-ipv6.pcap (IPv6 client <-> echo_server)"
start_capture usrsctp-echo-ipv6.pcap 20
start_in_b echo_server6 "$BIN/echo_server" 0
{ echo "hello over IPv6"; sleep 1; echo "bye"; sleep 1; } |
    inA timeout 20 "$BIN/client" "$B6" 7 0 0 >"$LOG/echo6-client.log" 2>&1 || true
stop_server
stop_capture
fi

# --- 3. tsctp bulk transfer: small messages, so DATA chunks get bundled ------
# tsctp -E 0: local UDP encapsulation port 0 (raw); -a: Adaptation Layer Indication.
if want tsctp; then
echo "== usrsctp-tsctp.pcap (tsctp bulk, 400 x 200-byte messages)"
start_capture usrsctp-tsctp.pcap 30
start_in_b tsctp-server "$BIN/tsctp" -E 0 -p 5001 -a 7
inA timeout 30 "$BIN/tsctp" -E 0 -p 5001 -a 7 -l 200 -n 400 "$B4" >"$LOG/tsctp-client.log" 2>&1 || true
stop_server
stop_capture
fi

# --- 4. PR-SCTP with loss: FORWARD-TSN, gap-ack blocks, unordered DATA -------
# nftables in B drops ~1 in 8 inbound SCTP packets; -P 2 -t 0: the RTX policy
# with zero retransmissions, so lost messages are abandoned (RFC 3758 FORWARD TSN).
if want prsctp; then
echo "== usrsctp-tsctp-prsctp.pcap (tsctp, PR-SCTP rtx=0, unordered, 12% loss in B)"
inB nft add table inet capture_loss
inB nft add chain inet capture_loss input '{ type filter hook input priority 0; }'
inB nft add rule inet capture_loss input meta l4proto sctp numgen random mod 8 0 drop
start_capture usrsctp-tsctp-prsctp.pcap 30
start_in_b tsctp-pr-server "$BIN/tsctp" -E 0 -p 5002
inA timeout 25 "$BIN/tsctp" -E 0 -p 5002 -P 2 -t 0 -u -l 300 -n 250 "$B4" >"$LOG/tsctp-pr-client.log" 2>&1 || true
stop_server
stop_capture
inB nft delete table inet capture_loss
fi

# --- 5. usrsctp's error paths, provoked by hand-made packets ------------------
# sctp-inject.py (raw IPv4 socket in A) sends INITs with unrecognized/invalid
# parameters and, inside an association, DATA on a missing stream, chunks of
# unknown type and an ABORT; usrsctp answers with INIT ACK (Unrecognized
# Parameter), ABORT and ERROR chunks.
if want errors; then
echo "== usrsctp-errors.pcap (sctp-inject.py -> echo_server)"
start_capture usrsctp-errors.pcap 20
start_in_b echo_server-errors "$BIN/echo_server" 0
inA timeout 20 python3 "$HERE/sctp-inject.py" "$B4" >"$LOG/inject.log" 2>&1
stop_server
stop_capture
fi

echo "== summary"
for f in usrsctp-echo.pcap usrsctp-echo-ipv6.pcap usrsctp-tsctp.pcap usrsctp-tsctp-prsctp.pcap usrsctp-errors.pcap; do
    [[ -e $OUT/$f ]] || continue
    n=$(tshark -r "$OUT/$f" 2>/dev/null | wc -l)
    types=$(tshark -r "$OUT/$f" -T fields -e sctp.chunk_type 2>/dev/null | tr ',' '\n' | sort -n | uniq -c | awk '{printf "%s:%s ", $2, $1}')
    echo "$f: $n packets, $(stat -c %s "$OUT/$f") bytes; chunk types (type:count): $types"
    [[ $n -gt 0 ]] || { echo "$f is empty" >&2; exit 1; }
done
