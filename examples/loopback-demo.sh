#!/usr/bin/env bash
# Loopback demo: a throughput run of sctp-perf between two processes on this
# host, over real raw IP sockets on 127.0.0.1 (SCTP directly over IP; the
# kernel's own SCTP module is never used or loaded).
#
# Usage:  sudo examples/loopback-demo.sh          raw IP (needs root or CAP_NET_RAW)
#         examples/loopback-demo.sh --udp         SCTP over UDP (RFC 6951), no privileges
# Environment: PORT (SCTP port, default 5001), SECS (seconds to send, default 3),
#              UDP_PORT (encapsulation port with --udp, default 9899),
#              CARGO_TARGET_DIR (where the release binaries are built),
#              SKIP_BUILD=1 (use the existing binaries without running cargo).
#
# Builds the release binaries if needed, starts `sctp-perf server --once`,
# runs `sctp-perf client --time $SECS`, prints the result, and exits non-zero
# if anything failed. The server is cleaned up in every case.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${PORT:-5001}
SECS=${SECS:-3}
UDP_PORT=${UDP_PORT:-9899}
MODE=raw
case "${1:-}" in
    "") ;;
    --udp) MODE=udp ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "loopback-demo.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
esac

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release
PERF=$BIN/sctp-perf

# --- build ------------------------------------------------------------------
stale() {
    [[ ! -x $PERF ]] && return 0
    [[ -n $(find "$ROOT/examples" "$ROOT/sctp-raw" "$ROOT/sctp-core" "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" \
        -newer "$PERF" \( -name '*.rs' -o -name Cargo.toml -o -name Cargo.lock \) -print -quit 2>/dev/null) ]]
}
if [[ -n ${SKIP_BUILD:-} && -x $PERF ]]; then
    echo "== SKIP_BUILD set: using $PERF as it is"
elif ! stale; then
    echo "== release binaries are up to date ($BIN)"
elif command -v cargo >/dev/null 2>&1; then
    echo "== building release binaries (cargo build --release -p sctp-examples)"
    (cd "$ROOT" && cargo build --release -p sctp-examples --quiet)
elif [[ -x $PERF ]]; then
    echo "== cargo not found (sudo resets PATH?); using the existing $PERF"
else
    echo "loopback-demo.sh: cargo not found and $PERF not built." >&2
    echo "  Build first as your user: cargo build --release -p sctp-examples" >&2
    echo "  then run: sudo CARGO_TARGET_DIR=$TARGET $0" >&2
    exit 1
fi

# --- privileges ---------------------------------------------------------------
has_net_raw() {
    [[ $(id -u) -eq 0 ]] && return 0
    local eff
    eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
    (( (16#$eff >> 13) & 1 )) && return 0
    command -v getcap >/dev/null 2>&1 && getcap "$PERF" 2>/dev/null | grep -q cap_net_raw && return 0
    return 1
}

TRANSPORT=(--transport raw)
CLIENT_EXTRA=()
if [[ $MODE == udp ]]; then
    TRANSPORT=(--transport udp --udp-port "$UDP_PORT")
    # Both ends share the host: the client takes any free local UDP port.
    CLIENT_EXTRA=(--udp-local-port 0)
elif ! has_net_raw; then
    cat >&2 <<EOF
loopback-demo.sh: SCTP over raw IP needs root or the CAP_NET_RAW capability.
  Run it as root:            sudo $0
  or grant the capability:   sudo setcap cap_net_raw+ep $PERF
  or use SCTP over UDP (RFC 6951), which needs no privileges:
                             $0 --udp
EOF
    exit 1
fi

# --- run ------------------------------------------------------------------------
LOG=$(mktemp -d /tmp/sctp-loopback-demo.XXXXXX)
SERVER_PID=
cleanup() {
    local rc=$?
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [[ $rc -ne 0 ]]; then
        echo "loopback-demo.sh: FAILED (exit $rc); logs in $LOG" >&2
        for f in "$LOG"/*; do echo "--- $f" >&2; tail -n 20 "$f" >&2; done
    else
        rm -rf "$LOG"
    fi
    exit "$rc"
}
trap cleanup EXIT INT TERM

echo "== starting: sctp-perf server --bind 127.0.0.1:$PORT --once ${TRANSPORT[*]}"
timeout $((SECS + 90)) "$PERF" server --bind "127.0.0.1:$PORT" --once "${TRANSPORT[@]}" \
    >"$LOG/server.out" 2>"$LOG/server.err" &
SERVER_PID=$!
for _ in $(seq 100); do
    grep -q "listening on" "$LOG/server.out" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "loopback-demo.sh: the server exited early" >&2; exit 1; }
    sleep 0.1
done
grep -q "listening on" "$LOG/server.out" || { echo "loopback-demo.sh: the server did not start" >&2; exit 1; }

echo "== running:  sctp-perf client 127.0.0.1:$PORT --time $SECS ${TRANSPORT[*]} ${CLIENT_EXTRA[*]}"
timeout $((SECS + 60)) "$PERF" client "127.0.0.1:$PORT" --time "$SECS" \
    "${TRANSPORT[@]}" "${CLIENT_EXTRA[@]}" | tee "$LOG/client.out"

# The server exits by itself after the association (--once).
for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
wait "$SERVER_PID"
SERVER_PID=
echo "== server side:"
sed 's/^/   /' "$LOG/server.out"
echo "== result: $(tail -n 1 "$LOG/client.out")"
