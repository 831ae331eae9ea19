#!/usr/bin/env bash
# The failover gap of a multi-homed association (RFC 9260 section 6.4,
# RFC 7829): two namespaces joined by two veth pairs (198.18.0.0/24, the
# primary, and 198.18.1.0/24), an sctp-echo client sending a 300-byte echo
# every 2 ms to a multi-homed sctp-echo server; 2 s in, nftables drops
# everything on the client's primary interface. The client reports
# max_gap_ms, the longest wait between two consecutive echoes: the time the
# association needed to move to the other path.
#
# Measured RUNS times (median reported) with two settings:
#   tuned:    --rto-min-ms 100 --rto-max-ms 400 --hb-interval-ms 1000 --pf-max-retrans 0
#   rfc9260:  RFC 9260's defaults: RTO.Min 1 s, RTO.Max 60 s, HB.interval 30 s,
#             and no potentially-failed state (PF.Max.Retrans = Path.Max.Retrans = 5)
#
# Usage (as root): benches/failover.sh [RUNS]   (default 5)
# Environment: CARGO_TARGET_DIR, SKIP_BUILD=1, SETTINGS="tuned rfc9260".
# Output: one line per run, then one JSON object per setting with the median.
set -euo pipefail

RUNS=${1:-5}
SETTINGS=${SETTINGS:-tuned rfc9260}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
ECHO=$TARGET/release/sctp-echo
NS_A=sctpfoA$$
NS_B=sctpfoB$$
IF_A=vfoA$$
IF_B=vfoB$$
IF_A2=vfoC$$
IF_B2=vfoD$$
LOG=$(mktemp -d /tmp/failover.XXXXXX)

[[ $RUNS =~ ^[0-9]+$ && $RUNS -ge 1 && $RUNS -le 100 ]] || { echo "RUNS must be 1..100" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "failover.sh: needs root (network namespaces, raw sockets)" >&2; exit 1; }
if [[ -z ${SKIP_BUILD:-} ]] && command -v cargo >/dev/null 2>&1; then
    (cd "$ROOT" && cargo build --release -p sctp-examples --quiet)
fi
[[ -x $ECHO ]] || { echo "missing $ECHO (cargo build --release -p sctp-examples)" >&2; exit 1; }

# shellcheck source=netns-pair.sh
source "$ROOT/benches/netns-pair.sh"

cleanup() {
    kill_ns "$NS_A"
    kill_ns "$NS_B"
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
}
trap cleanup EXIT

netns_pair "$NS_A" "$NS_B" "$IF_A" "$IF_B"
ip link add "$IF_A2" netns "$NS_A" type veth peer name "$IF_B2" netns "$NS_B"
ip -n "$NS_A" addr add 198.18.1.1/24 dev "$IF_A2"
ip -n "$NS_B" addr add 198.18.1.2/24 dev "$IF_B2"
ip -n "$NS_A" link set "$IF_A2" up
ip -n "$NS_B" link set "$IF_B2" up
sleep 0.5

flags() {
    case $1 in
        tuned) echo "--rto-initial-ms 200 --rto-min-ms 100 --rto-max-ms 400 --hb-interval-ms 1000 --pf-max-retrans 0" ;;
        rfc9260) echo "--rto-initial-ms 1000 --rto-min-ms 1000 --rto-max-ms 60000 --hb-interval-ms 30000 --pf-max-retrans 5 --path-max-retrans 5 --assoc-max-retrans 10" ;;
        *) echo "unknown setting $1" >&2; exit 2 ;;
    esac
}

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

for setting in $SETTINGS; do
    # shellcheck disable=SC2046
    read -r -a extra <<< "$(flags "$setting")"
    gaps=()
    for run in $(seq 1 "$RUNS"); do
        ip netns exec "$NS_B" "$ECHO" server --once --bind 198.18.0.2:7 --bind 198.18.1.2:7 \
            "${extra[@]}" > "$LOG/server-$setting-$run.log" 2>&1 &
        server=$!
        sleep 0.5
        ip netns exec "$NS_A" "$ECHO" client 198.18.0.2:7 --remote 198.18.1.2 \
            --local 198.18.0.1 --local 198.18.1.1 --count 4000 --size 300 --interval-ms 2 \
            --timeout 200 --json "${extra[@]}" > "$LOG/client-$setting-$run.log" 2>&1 &
        client=$!
        sleep 2
        ip netns exec "$NS_A" nft -f - <<EOF
table inet cut {
  chain input { type filter hook input priority -10; policy accept; iifname "$IF_A" drop; }
  chain output { type filter hook output priority -10; policy accept; oifname "$IF_A" drop; }
}
EOF
        if ! wait "$client"; then
            echo "run $run ($setting): client failed, see $LOG/client-$setting-$run.log" >&2
            cat "$LOG/client-$setting-$run.log" >&2
            exit 1
        fi
        wait "$server" || true
        ip netns exec "$NS_A" nft delete table inet cut
        gap=$(grep '^{' "$LOG/client-$setting-$run.log" | tail -1 | sed 's/.*"max_gap_ms":\([0-9.]*\).*/\1/')
        echo "$setting run $run: max_gap_ms $gap"
        gaps+=("$gap")
    done
    med=$(printf '%s\n' "${gaps[@]}" | median)
    printf '{"setting":"%s","runs":%d,"median_max_gap_ms":%s,"gaps_ms":[%s]}\n' \
        "$setting" "$RUNS" "$med" "$(IFS=,; echo "${gaps[*]}")"
done
