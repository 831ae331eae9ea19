#!/usr/bin/env bash
# Many associations in one process at each end: N associations between an
# sctp-perf client and an sctp-perf server in two network namespaces, over
# raw IPv4. Measures the set-up rate, resident memory per association on
# each side, the CPU both use while every association is idle (heartbeats
# every 30 s, the default), and the aggregate throughput of A of them
# sending 100-byte messages at once.
#
# Usage (as root): benches/scale.sh [N] [A] [IDLE_SECONDS] [SEND_SECONDS]
#                  (defaults 10000 1000 60 10; the issue's full size is 100000)
# Environment: CARGO_TARGET_DIR, SKIP_BUILD=1, M (server addresses, default 100).
#
# An association is identified by its addresses and ports, so N associations
# between two hosts need N address pairs: the server listens on M addresses
# (198.19.0.1 and up, one endpoint and one socket each) and the client opens
# N/M endpoints (198.18.128.1 and up, one socket each), each with one
# association to every server address. Both ranges are "local" routes on the
# namespaces' loopback (AnyIP), routed over the veth, so no neighbour entry
# per address is needed. Addresses: 198.18.0.0/15 only.
set -euo pipefail

N=${1:-10000}
A=${2:-1000}
IDLE=${3:-60}
SEND=${4:-10}
M=${M:-100}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PERF=$TARGET/release/sctp-perf
NS_A=sctpscaleA$$
NS_B=sctpscaleB$$
IF_A=vscaA$$
IF_B=vscaB$$
LOG=$(mktemp -d /tmp/scale.XXXXXX)
PIDS=()

[[ $N =~ ^[0-9]+$ && $N -ge 1 && $N -le 1000000 ]] || { echo "N must be 1..1000000" >&2; exit 2; }
[[ $A =~ ^[0-9]+$ && $A -ge 1 && $A -le $N ]] || { echo "A must be 1..N" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "scale.sh: needs root (network namespaces, raw sockets)" >&2; exit 1; }
K=$(( (N + M - 1) / M ))
(( K <= 30000 )) || { echo "N/M client addresses must fit 198.18.128.0/17: raise M" >&2; exit 2; }
if [[ -z ${SKIP_BUILD:-} ]] && command -v cargo >/dev/null 2>&1; then
    (cd "$ROOT" && cargo build --release -p sctp-examples --quiet)
fi
[[ -x $PERF ]] || { echo "missing $PERF (cargo build --release -p sctp-examples)" >&2; exit 1; }

# shellcheck source=netns-pair.sh
source "$ROOT/benches/netns-pair.sh"

cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    kill_ns "$NS_A"
    kill_ns "$NS_B"
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
}
trap cleanup EXIT

netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
ip -n "$NS_B" route add local 198.19.0.0/16 dev lo
ip -n "$NS_A" route add 198.19.0.0/16 via 198.18.0.2
ip -n "$NS_A" route add local 198.18.128.0/17 dev lo
ip -n "$NS_B" route add 198.18.128.0/17 via 198.18.0.1

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
# CPU seconds (user + system) a process has used.
cpu_s() { awk '{ printf "%.2f\n", ($14 + $15) / 100 }' "/proc/$1/stat"; }

ulimit -n 1048576 2>/dev/null || true
ip netns exec "$NS_B" "$PERF" server --bind 198.19.0.1:5001 --addresses "$M" --json \
    >"$LOG/server.out" 2>"$LOG/server.err" &
SRV=$!
PIDS+=("$SRV")
for _ in $(seq 300); do grep -q "listening on" "$LOG/server.out" && break; sleep 0.1; done
grep -q "listening on" "$LOG/server.out" || { cat "$LOG/server.err" >&2; exit 1; }
SRV_BASE=$(rss_kib "$SRV")

ip netns exec "$NS_A" timeout $((IDLE + SEND + 600)) "$PERF" client 198.19.0.1:5001 \
    --associations "$N" --server-addresses "$M" --endpoints "$K" --local 198.18.128.1 \
    --active "$A" --size 100 --time "$SEND" --idle "$IDLE" --grace 600 --json \
    >"$LOG/client.out" 2>"$LOG/client.err" &
CLI=$!
PIDS+=("$CLI")
# The client says when every association is up; it then idles for IDLE s.
for _ in $(seq 6000); do grep -q "associations in" "$LOG/client.err" && break; sleep 0.1; done
grep -q "associations in" "$LOG/client.err" || { cat "$LOG/client.err" >&2; exit 1; }
sleep 2
SRV_CPU0=$(cpu_s "$SRV")
SRV_RSS=$(rss_kib "$SRV")
sleep $((IDLE > 4 ? IDLE - 4 : 1))
SRV_CPU1=$(cpu_s "$SRV")
SRV_WIN=$((IDLE > 4 ? IDLE - 4 : 1))
wait "$CLI" || { echo "client failed:" >&2; cat "$LOG/client.err" >&2; exit 1; }
LINE=$(tail -n 1 "$LOG/client.out")

python3 - "$LINE" "$N" "$A" "$M" "$SRV_BASE" "$SRV_RSS" "$SRV_CPU0" "$SRV_CPU1" "$SRV_WIN" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
n, a, m = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
base, rss = int(sys.argv[5]), int(sys.argv[6])
cpu0, cpu1, win = float(sys.argv[7]), float(sys.argv[8]), float(sys.argv[9])
print(f"associations            {n} ({m} server addresses, {(n + m - 1) // m} client endpoints)")
print(f"set-up                  {d['setup_seconds']:.2f} s, {n / d['setup_seconds']:.0f} associations/s")
print(f"server RSS              {base} KiB before, {rss} KiB with {n} associations: "
      f"{(rss - base) * 1024 / n:.0f} B per association")
print(f"client RSS              {d['rss_base_kib']} KiB before, {d['rss_kib']} KiB with {n} associations: "
      f"{(d['rss_kib'] - d['rss_base_kib']) * 1024 / n:.0f} B per association")
print(f"idle CPU                server {100 * (cpu1 - cpu0) / win:.2f} % of a core over {win:.0f} s; "
      f"client {100 * d['idle_cpu_seconds'] / d['idle_seconds']:.2f} % over {d['idle_seconds']:.0f} s")
print(f"throughput of {a} at once  {d['mbytes_per_sec']:.2f} MB/s, {d['messages_per_sec']:.0f} messages/s "
      f"(100-byte messages, {d['seconds']:.1f} s, all acknowledged)")
PY
