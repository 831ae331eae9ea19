#!/usr/bin/env bash
# What sctp-proxy costs: the same traffic once over a direct association and
# once relayed by the proxy, on the same namespaces, in one run, rounds
# alternating. Three namespaces in a star: a client spoke (198.18.0.2, hub
# 198.18.0.1), a backend spoke (198.18.1.2, hub 198.18.1.1) and the hub,
# which forwards IP between the spokes (net.ipv4.ip_forward=1) and runs the
# proxy. A direct association therefore crosses the same two veths as a
# relayed one; the proxy adds a userspace SCTP hop in the hub.
#
#   throughput: sctp-perf client -> sctp-perf server (release builds), at
#               each message size (100 and 1,400 bytes), SECONDS long,
#               Nagle-like bundling on (sctp-perf's default). The figure is
#               the server's: messages it received / time from its first to
#               its last message, i.e. what came out of the proxy. The client's
#               own figure (all messages acknowledged, by the proxy when
#               relayed) is kept in the JSON, with `lost` = messages the
#               client had acknowledged minus messages the server received.
#   latency:    sctp-echo client --ping-pong -> sctp-echo server: one
#               PING_SIZE-byte request outstanding at a time, PINGS round
#               trips; p50, p99, mean and max of each run.
#
# The proxy runs once per measurement (fresh process, SIGTERM after, which
# must drain and exit 0) in each of MODES (--mode association, --mode
# message), with one static backend. Each round runs direct and the proxy
# modes back to back; even rounds run them in reverse order, so a drifting
# machine favours neither. Reported: per-run lines, then medians over the
# rounds, the ratio proxy/direct (messages/s) and the latency the proxy adds
# (proxy - direct, p50 and p99), as a table and as one JSON object last.
#
# Caveat: client, proxy and server share the machine's cores, while a direct
# association's middle hop is the kernel's forwarding; on a small machine the
# proxy's figures include that contention. The "max gap ms" column (the
# server's longest wait between two messages) shows stalls.
#
# Usage (as root): benches/proxy-vs-direct.sh [SECONDS] [ROUNDS]   (default 5 3)
# Environment: CARGO_TARGET_DIR, SKIP_BUILD=1 (use the existing release
#              binaries), SIZES (default "100 1400"), MODES (default
#              "association message"), PINGS (round trips per latency run,
#              default 1000 per SECOND), PING_SIZE (default 100),
#              KEEP_LOGS=1 (keep the logs, the proxy's /metrics included,
#              also after a successful run).
set -euo pipefail

SECS=${1:-5}
ROUNDS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PERF=$TARGET/release/sctp-perf
ECHO=$TARGET/release/sctp-echo
PROXY=$TARGET/release/sctp-proxy
SIZES=${SIZES:-100 1400}
MODES=${MODES:-association message}
PINGS=${PINGS:-$((SECS * 1000))}
PING_SIZE=${PING_SIZE:-100}
NS_H=sctppxH$$
NS_C=sctppxC$$
NS_B=sctppxB$$
IF_HC=vpxHC$$
IF_C=vpxC$$
IF_HB=vpxHB$$
IF_B=vpxB$$
HUB_C=198.18.0.1  # the hub on the client's link: the proxy listens here
CLIENT=198.18.0.2
HUB_B=198.18.1.1  # the hub on the backend's link
BACKEND=198.18.1.2
METRICS=$HUB_C:9090
PERF_PORT=5001
ECHO_PORT=7
LOG=$(mktemp -d /tmp/proxy-vs-direct.XXXXXX)
RESULTS=$LOG/results.tsv

[[ $SECS =~ ^[0-9]+$ && $SECS -ge 1 && $SECS -le 120 ]] || { echo "SECONDS must be 1..120" >&2; exit 2; }
[[ $ROUNDS =~ ^[0-9]+$ && $ROUNDS -ge 1 && $ROUNDS -le 20 ]] || { echo "ROUNDS must be 1..20" >&2; exit 2; }
[[ $PINGS =~ ^[0-9]+$ && $PINGS -ge 100 ]] || { echo "PINGS must be at least 100" >&2; exit 2; }
[[ $PING_SIZE =~ ^[0-9]+$ && $PING_SIZE -ge 8 ]] || { echo "PING_SIZE must be at least 8" >&2; exit 2; }
for size in $SIZES; do
    [[ $size =~ ^[0-9]+$ && $size -ge 1 ]] || { echo "SIZES must be numbers of bytes" >&2; exit 2; }
done
for mode in $MODES; do
    [[ $mode == association || $mode == message ]] || { echo "MODES takes association and message" >&2; exit 2; }
done
[[ $(id -u) -eq 0 ]] || { echo "proxy-vs-direct.sh: needs root (network namespaces, raw sockets)" >&2; exit 1; }
if [[ -z ${SKIP_BUILD:-} ]] && command -v cargo >/dev/null 2>&1; then
    (cd "$ROOT" && cargo build --release -p sctp-proxy -p sctp-examples --quiet)
fi
for bin in "$PERF" "$ECHO" "$PROXY"; do
    [[ -x $bin ]] || { echo "missing $bin (cargo build --release -p sctp-proxy -p sctp-examples)" >&2; exit 1; }
done

# shellcheck source=netns-pair.sh
. "$ROOT/benches/netns-pair.sh"

cleanup() {
    local rc=$?
    kill_ns "$NS_C"
    kill_ns "$NS_B"
    kill_ns "$NS_H"
    ip netns del "$NS_C" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    ip netns del "$NS_H" 2>/dev/null || true
    if [[ $rc -ne 0 ]]; then
        echo "proxy-vs-direct.sh failed (rc=$rc); logs in $LOG" >&2
    elif [[ -n ${KEEP_LOGS:-} ]]; then
        echo "logs in $LOG"
    else
        rm -rf "$LOG"
    fi
    exit "$rc"
}
trap cleanup EXIT INT TERM

# The star: hub <-> client spoke, hub <-> backend spoke, the hub routing
# between them.
ip netns add "$NS_H"
ip netns add "$NS_C"
ip netns add "$NS_B"
ip link add "$IF_HC" netns "$NS_H" type veth peer name "$IF_C" netns "$NS_C"
ip link add "$IF_HB" netns "$NS_H" type veth peer name "$IF_B" netns "$NS_B"
for ns in "$NS_H" "$NS_C" "$NS_B"; do ip -n "$ns" link set lo up; done
ip -n "$NS_H" addr add "$HUB_C/24" dev "$IF_HC"
ip -n "$NS_H" addr add "$HUB_B/24" dev "$IF_HB"
ip -n "$NS_C" addr add "$CLIENT/24" dev "$IF_C"
ip -n "$NS_B" addr add "$BACKEND/24" dev "$IF_B"
ip -n "$NS_H" link set "$IF_HC" up
ip -n "$NS_H" link set "$IF_HB" up
ip -n "$NS_C" link set "$IF_C" up
ip -n "$NS_B" link set "$IF_B" up
ip -n "$NS_C" route add 198.18.1.0/24 via "$HUB_C"
ip -n "$NS_B" route add 198.18.0.0/24 via "$HUB_B"
ip netns exec "$NS_H" sysctl -qw net.ipv4.ip_forward=1
sleep 0.5
if command -v ping >/dev/null 2>&1; then
    ip netns exec "$NS_C" ping -c 1 -W 2 "$BACKEND" >/dev/null ||
        { echo "the client spoke cannot reach the backend through the hub" >&2; exit 1; }
fi

# wait_for FILE TEXT: until FILE contains TEXT (10 s at most).
wait_for() {
    for _ in $(seq 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "timed out waiting for \"$2\" in $1" >&2
    return 1
}

# start_proxy NAME MODE PORT: the proxy in the hub, listening on HUB_C:PORT,
# relaying to BACKEND:PORT; sets PROXY_PID.
start_proxy() {
    local name=$1 mode=$2 port=$3
    ip netns exec "$NS_H" timeout $((SECS + 120)) "$PROXY" --listen "$HUB_C:$port" \
        --backend "$BACKEND:$port" --mode "$mode" --metrics "$METRICS" --drain-timeout-secs 5 \
        >"$LOG/$name-proxy.out" 2>"$LOG/$name-proxy.err" &
    PROXY_PID=$!
    wait_for "$LOG/$name-proxy.out" "listening on"
}

# stop_proxy NAME: saves its metrics, SIGTERM, and checks it drained and exited 0.
stop_proxy() {
    local name=$1 rc=0
    ip netns exec "$NS_H" curl -s --max-time 5 "http://$METRICS/metrics" >"$LOG/$name-metrics.txt" || true
    kill -TERM "$PROXY_PID" 2>/dev/null || true
    wait "$PROXY_PID" || rc=$?
    if [[ $rc -ne 0 ]] || ! grep -q "drained after SIGTERM" "$LOG/$name-proxy.out"; then
        echo "warning: $name: the proxy exited with $rc after SIGTERM (see $LOG/$name-proxy.err)" >&2
    fi
}

# metric NAME FILE SERIES: the value of a metric line starting with SERIES (0 if none).
metric() {
    awk -v s="$2" 'index($0, s) == 1 { v += $NF } END { printf "%d\n", v }' "$1"
}

# last_json FILE KEY...: the given keys of the last JSON line of FILE.
last_json() {
    python3 - "$@" <<'EOF'
import json, sys
path, keys = sys.argv[1], sys.argv[2:]
line = None
with open(path) as f:
    for l in f:
        if l.startswith("{"):
            line = l
if line is None:
    sys.exit(f"no JSON line in {path}")
d = json.loads(line)
print(" ".join(str(d[k]) for k in keys))
EOF
}

# throughput PATH SIZE ROUND: one sctp-perf run, direct or through the proxy
# in mode PATH; appends a line to RESULTS and prints it.
throughput() {
    local path=$1 size=$2 round=$3 name="perf-$1-$2-$3" target=$BACKEND relayed=- dropped=-
    ip netns exec "$NS_B" timeout $((SECS + 90)) "$PERF" server --bind "$BACKEND:$PERF_PORT" --once --json \
        >"$LOG/$name-server.out" 2>"$LOG/$name-server.err" &
    local srv=$!
    wait_for "$LOG/$name-server.out" "listening on"
    if [[ $path != direct ]]; then
        start_proxy "$name" "$path" "$PERF_PORT"
        target=$HUB_C
    fi
    ip netns exec "$NS_C" timeout $((SECS + 90)) "$PERF" client "$target:$PERF_PORT" --size "$size" \
        --time "$SECS" --json >"$LOG/$name-client.out" 2>"$LOG/$name-client.err"
    wait "$srv" || { echo "$name: the sctp-perf server failed" >&2; return 1; }
    if [[ $path != direct ]]; then
        stop_proxy "$name"
        relayed=$(metric "$LOG/$name-metrics.txt" 'sctp_proxy_messages_total{listener="'"$HUB_C:$PERF_PORT"'",direction="front_to_back"}')
        dropped=$(metric "$LOG/$name-metrics.txt" 'sctp_proxy_dropped_messages_total')
    fi
    local c_msgs c_rate s_msgs s_secs s_rate s_gap
    read -r c_msgs c_rate < <(last_json "$LOG/$name-client.out" messages messages_per_sec)
    read -r s_msgs s_secs s_rate s_gap < <(last_json "$LOG/$name-server.out" messages seconds messages_per_sec max_gap_ms)
    local lost=$((c_msgs - s_msgs))
    printf "perf\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$path" "$size" "$round" \
        "$s_rate" "$s_msgs" "$s_secs" "$c_rate" "$c_msgs" "$lost" "$relayed" "$dropped" >>"$RESULTS"
    printf "%-5s %-6s %-11s %12.0f %12.0f %10s %6s %10.1f\n" "$round" "$size" "$path" "$s_rate" "$c_rate" \
        "$s_msgs" "$lost" "$s_gap"
}

# latency PATH ROUND: one sctp-echo --ping-pong run; appends to RESULTS and prints.
latency() {
    local path=$1 round=$2 name="echo-$1-$2" target=$BACKEND
    ip netns exec "$NS_B" timeout $((SECS + 120)) "$ECHO" server --bind "$BACKEND:$ECHO_PORT" --once \
        >"$LOG/$name-server.out" 2>"$LOG/$name-server.err" &
    local srv=$!
    wait_for "$LOG/$name-server.out" "listening on"
    if [[ $path != direct ]]; then
        start_proxy "$name" "$path" "$ECHO_PORT"
        target=$HUB_C
    fi
    ip netns exec "$NS_C" timeout $((SECS + 120)) "$ECHO" client "$target:$ECHO_PORT" --ping-pong \
        --count "$PINGS" --size "$PING_SIZE" --timeout $((SECS + 110)) --json \
        >"$LOG/$name-client.out" 2>"$LOG/$name-client.err" ||
        { echo "$name: the sctp-echo client failed: $(tail -n 3 "$LOG/$name-client.err")" >&2; return 1; }
    wait "$srv" || { echo "$name: the sctp-echo server failed" >&2; return 1; }
    [[ $path == direct ]] || stop_proxy "$name"
    local p50 p99 mean max
    read -r p50 p99 mean max < <(last_json "$LOG/$name-client.out" rtt_p50_us rtt_p99_us rtt_mean_us rtt_max_us)
    printf "rtt\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$path" "$PING_SIZE" "$round" "$p50" "$p99" "$mean" "$max" >>"$RESULTS"
    printf "%-5s %-11s %10.1f %10.1f %10.1f %10.1f\n" "$round" "$path" "$p50" "$p99" "$mean" "$max"
}

# The paths of round R: direct first on odd rounds, last on even ones.
paths_of() {
    local paths
    read -r -a paths <<<"direct $MODES"
    if (($1 % 2 == 0)); then
        local i rev=()
        for ((i = ${#paths[@]} - 1; i >= 0; i--)); do rev+=("${paths[i]}"); done
        paths=("${rev[@]}")
    fi
    echo "${paths[@]}"
}

echo "proxy-vs-direct: $SECS s per throughput run, $PINGS round trips of $PING_SIZE bytes per latency run, $ROUNDS round(s); proxy modes: $MODES"
echo "throughput (server's messages/s = relayed; client's = acknowledged to the client; lost = client - server messages):"
printf "%-5s %-6s %-11s %12s %12s %10s %6s %10s\n" round size path "server msg/s" "client msg/s" messages lost "max gap ms"
for size in $SIZES; do
    for round in $(seq "$ROUNDS"); do
        for path in $(paths_of "$round"); do
            throughput "$path" "$size" "$round"
        done
    done
done
echo "latency (round trips in us, one $PING_SIZE-byte message outstanding):"
printf "%-5s %-11s %10s %10s %10s %10s\n" round path p50 p99 mean max
for round in $(seq "$ROUNDS"); do
    for path in $(paths_of "$round"); do
        latency "$path" "$round"
    done
done

python3 - "$RESULTS" "$SECS" "$ROUNDS" "$PINGS" "$PING_SIZE" "$MODES" <<'EOF'
import json, statistics, sys

results, secs, rounds, pings, ping_size, modes = sys.argv[1:]
modes = modes.split()
perf, rtt = [], []
for line in open(results):
    f = line.rstrip("\n").split("\t")
    if f[0] == "perf":
        num = lambda s: None if s == "-" else int(s)
        perf.append(dict(path=f[1], size=int(f[2]), round=int(f[3]), messages_per_sec=round(float(f[4]), 1),
                         messages=int(f[5]), seconds=round(float(f[6]), 4),
                         client_messages_per_sec=round(float(f[7]), 1),
                         client_messages=int(f[8]), lost=int(f[9]), proxy_relayed=num(f[10]),
                         proxy_dropped=num(f[11])))
    else:
        rtt.append(dict(path=f[1], size=int(f[2]), round=int(f[3]), p50_us=float(f[4]),
                        p99_us=float(f[5]), mean_us=float(f[6]), max_us=float(f[7])))

def med(rows, key):
    return round(statistics.median(r[key] for r in rows), 1) if rows else None

out = {"seconds": int(secs), "rounds": int(rounds), "modes": modes, "throughput": [], "latency": {}}
print("\nsummary, medians over the rounds:")
print(f"{'size':<6} {'path':<11} {'msg/s':>12} {'proxy/direct':>13} {'client msg/s':>13} {'lost':>6}")
for size in sorted({r["size"] for r in perf}):
    rows = [r for r in perf if r["size"] == size]
    entry = {"size": size}
    direct = med([r for r in rows if r["path"] == "direct"], "messages_per_sec")
    for path in ["direct"] + modes:
        p = [r for r in rows if r["path"] == path]
        m = med(p, "messages_per_sec")
        e = {"messages_per_sec": m, "client_messages_per_sec": med(p, "client_messages_per_sec"),
             "lost": sum(r["lost"] for r in p), "runs": p}
        ratio = ""
        if path != "direct":
            e["ratio"] = round(m / direct, 3) if direct else None
            ratio = f"{e['ratio']:.2f}" if e["ratio"] is not None else "-"
        entry[path] = e
        print(f"{size:<6} {path:<11} {m:>12.0f} {ratio:>13} {e['client_messages_per_sec']:>13.0f} {e['lost']:>6}")
    out["throughput"].append(entry)

print(f"\nlatency, {pings} round trips of {ping_size} bytes per run (us):")
print(f"{'path':<11} {'p50':>9} {'p99':>9} {'mean':>9} {'max':>9} {'added p50':>10} {'added p99':>10}")
d50, d99 = med([r for r in rtt if r["path"] == "direct"], "p50_us"), med([r for r in rtt if r["path"] == "direct"], "p99_us")
out["latency"] = {"pings": int(pings), "size": int(ping_size)}
for path in ["direct"] + modes:
    p = [r for r in rtt if r["path"] == path]
    e = {k: med(p, k) for k in ("p50_us", "p99_us", "mean_us", "max_us")}
    e["runs"] = p
    added = ("", "")
    if path != "direct":
        e["added_p50_us"] = round(e["p50_us"] - d50, 1)
        e["added_p99_us"] = round(e["p99_us"] - d99, 1)
        e["ratio_p50"] = round(e["p50_us"] / d50, 3) if d50 else None
        e["ratio_p99"] = round(e["p99_us"] / d99, 3) if d99 else None
        added = (f"{e['added_p50_us']:+.1f}", f"{e['added_p99_us']:+.1f}")
    out["latency"][path] = e
    print(f"{path:<11} {e['p50_us']:>9.1f} {e['p99_us']:>9.1f} {e['mean_us']:>9.1f} {e['max_us']:>9.1f} {added[0]:>10} {added[1]:>10}")
print()
print(json.dumps(out))
EOF
