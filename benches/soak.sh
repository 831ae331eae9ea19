#!/usr/bin/env bash
# Soak benchmark (not a CI test): sctp-perf traffic for a long time across a
# pair of network namespaces, with random loss injected by nftables on both
# sides. At the end it checks that every message arrived exactly once and
# intact (sctp-perf --check on both ends) and that neither process's resident
# memory grew.
#
#   sudo benches/soak.sh [MINUTES=30] [LOSS_PERCENT=10] [SIZE=1200] [STREAMS=4] [-- sctp-perf options]
#
# Options after `--` go to both sctp-perf processes, e.g. `-- --rto-min-ms 100`
# (RFC 9260's RTO.Min of 1 s makes every loss that fast retransmit cannot
# repair cost a second, which dominates at 10 % loss).
#
# Output: target/soak-<time>/ with server.json, client.json, rss.csv
# (seconds, server KiB, client KiB), and a verdict on the last line; exit
# status 0 only when the run was clean.
#
# Memory is judged on the median resident size of the last fifth of the run
# against that of the second fifth (the first fifth is warm-up: buffers and
# windows grow to their working size): it must not be larger by more than
# 1 MiB or 5 %, whichever is more.
set -euo pipefail

positional=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    positional+=("$1")
    shift
done
[ "${1:-}" = "--" ] && shift
extra=("$@")
minutes="${positional[0]:-30}"
loss="${positional[1]:-10}"
size="${positional[2]:-1200}"
streams="${positional[3]:-4}"
interval=5

if [ "$(id -u)" -ne 0 ]; then
    echo "soak.sh: needs root (network namespaces, raw sockets, nftables)" >&2
    exit 2
fi
for cmd in ip nft cargo; do
    command -v "$cmd" >/dev/null || { echo "soak.sh: $cmd not found" >&2; exit 2; }
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo build --release -q -p sctp-examples --bin sctp-perf
target="${CARGO_TARGET_DIR:-$root/target}"
perf="$target/release/sctp-perf"
out="$target/soak-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

a="soak-$$-a"
b="soak-$$-b"
va="sk$$a"
vb="sk$$b"
server_pid=""
client_pid=""
cleanup() {
    [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null || true
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    ip netns del "$a" 2>/dev/null || true
    ip netns del "$b" 2>/dev/null || true
}
trap cleanup EXIT

ip netns add "$a"
ip netns add "$b"
ip link add "$va" netns "$a" type veth peer name "$vb" netns "$b"
ip -n "$a" addr add 198.18.0.1/24 dev "$va"
ip -n "$b" addr add 198.18.0.2/24 dev "$vb"
for ns in "$a" "$b"; do
    ip -n "$ns" link set lo up
done
ip -n "$a" link set "$va" up
ip -n "$b" link set "$vb" up
for ns in "$a" "$b"; do
    ip netns exec "$ns" nft -f - <<EOF
table inet soak_loss {
  chain input {
    type filter hook input priority 0; policy accept;
    meta l4proto sctp numgen random mod 100 < $loss counter drop
    meta l4proto sctp counter accept
  }
}
EOF
done

seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')
echo "soak: ${minutes} min, ${loss} % loss each way, ${size}-byte messages on ${streams} ordered stream(s), options: ${extra[*]:-none}; output in $out"
# `ip netns exec` execs the program, so $! is sctp-perf's own pid.
ip netns exec "$a" "$perf" server --bind 198.18.0.1:5001 --once --json --check \
    "${extra[@]}" >"$out/server.json" 2>"$out/server.log" &
server_pid=$!
sleep 1
ip netns exec "$b" "$perf" client 198.18.0.1:5001 --time "$seconds" --size "$size" \
    --streams "$streams" --check --json --grace 300 "${extra[@]}" \
    >"$out/client.json" 2>"$out/client.log" &
client_pid=$!

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo ""; }
echo "seconds,server_kib,client_kib" >"$out/rss.csv"
start=$(date +%s)
while kill -0 "$client_pid" 2>/dev/null; do
    s=$(rss "$server_pid")
    c=$(rss "$client_pid")
    [ -n "$s" ] && [ -n "$c" ] && echo "$(( $(date +%s) - start )),$s,$c" >>"$out/rss.csv"
    sleep "$interval"
done
client_status=0
wait "$client_pid" || client_status=$?
client_pid=""
server_status=0
wait "$server_pid" || server_status=$?
server_pid=""

dropped() {
    ip netns exec "$1" nft list table inet soak_loss \
        | awk '/drop/ { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }'
}
passed() {
    ip netns exec "$1" nft list table inet soak_loss \
        | awk '/accept$/ { for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }'
}

python3 - "$out" "$client_status" "$server_status" "$(dropped "$a")" "$(passed "$a")" \
    "$(dropped "$b")" "$(passed "$b")" <<'EOF'
import csv, json, statistics, sys
out, cst, sst = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
drop_a, pass_a, drop_b, pass_b = (int(x or 0) for x in sys.argv[4:8])
def last_json(path):
    for line in reversed(open(path).read().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return None
client, server = last_json(f"{out}/client.json"), last_json(f"{out}/server.json")
rows = [tuple(map(int, r)) for r in list(csv.reader(open(f"{out}/rss.csv")))[1:]]
problems = []
if cst != 0 or client is None:
    problems.append(f"client exit status {cst}")
if sst != 0 or server is None:
    problems.append(f"server exit status {sst}")
if client and server:
    chk = server.get("check", {})
    n = client["messages"]
    print(f"client: sent and had acknowledged {n} messages, {client['bytes']} bytes in {client['seconds']:.0f} s "
          f"({client['mbytes_per_sec']:.2f} MB/s, {client['messages_per_sec']:.0f} msg/s)")
    print(f"server: received {server['messages']} messages, {server['bytes']} bytes; check {chk}")
    if not (server["messages"] == n and chk.get("contiguous") == n and chk.get("duplicates") == 0
            and chk.get("corrupt") == 0 and chk.get("missing") == 0):
        problems.append("delivery: not every message exactly once and intact")
print(f"nftables dropped {drop_a} of {drop_a + pass_a} SCTP packets into the server's namespace "
      f"({100 * drop_a / max(1, drop_a + pass_a):.1f} %), {drop_b} of {drop_b + pass_b} into the client's "
      f"({100 * drop_b / max(1, drop_b + pass_b):.1f} %)")
if len(rows) >= 10:
    k = len(rows) // 5
    for name, col in (("server", 1), ("client", 2)):
        early = statistics.median(r[col] for r in rows[k:2 * k])
        late = statistics.median(r[col] for r in rows[-k:])
        peak = max(r[col] for r in rows)
        print(f"{name} RSS: second fifth median {early} KiB, last fifth median {late} KiB, peak {peak} KiB")
        if late > early + max(1024, early * 0.05):
            problems.append(f"{name} RSS grew from {early} to {late} KiB")
else:
    problems.append("too few RSS samples")
print("SOAK PASSED" if not problems else "SOAK FAILED: " + "; ".join(problems))
sys.exit(1 if problems else 0)
EOF
