#!/usr/bin/env bash
# Builds every fuzz target and runs each for a short time (CI runs this with
# the default 30 s each): seeds the corpora from the golden captures
# (seed-corpus.sh), replays the crash reproducers in regressions/, then fuzzes.
# Any crash, leak or invariant failure fails the script.
#
#   fuzz/smoke.sh [SECONDS=30]
#
# Uses the nightly toolchain with AddressSanitizer when it is installed; on a
# stable-only machine it falls back to `--sanitizer none` (coverage-guided
# still, without ASan), and says so. Installs cargo-fuzz when it is missing.
set -euo pipefail
seconds="${1:-30}"
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

if cargo +nightly --version >/dev/null 2>&1; then
    toolchain=(+nightly)
    sanitizer=address
else
    toolchain=()
    sanitizer=none
    echo "fuzz/smoke.sh: no nightly toolchain; fuzzing on stable without AddressSanitizer" >&2
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi
for tool in tshark jq xxd; do
    command -v "$tool" >/dev/null || { echo "fuzz/smoke.sh: $tool is needed to seed the corpora" >&2; exit 2; }
done

./seed-corpus.sh
targets=(packet_parse association endpoint)
fuzz=(cargo "${toolchain[@]}" fuzz)
"${fuzz[@]}" build --release --sanitizer "$sanitizer"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
    if [ -d "regressions/$t" ]; then
        # Each reproducer replayed on its own, so a regression fails by name.
        for r in "regressions/$t"/*; do
            if ! "${fuzz[@]}" run --release --sanitizer "$sanitizer" "$t" "$r" >"$log" 2>&1; then
                tail -n 40 "$log" >&2
                echo "fuzz/smoke.sh: $t regression $r fails" >&2
                exit 1
            fi
        done
        echo "$t: $(ls "regressions/$t" | wc -l) regression input(s) replayed"
    fi
    echo "==== fuzzing $t for $seconds s ===="
    status=0
    "${fuzz[@]}" run --release --sanitizer "$sanitizer" "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$log" >&2
        echo "fuzz/smoke.sh: $t failed (exit $status); reproducer in fuzz/artifacts/$t/" >&2
        exit 1
    fi
done
echo "fuzz/smoke.sh: all targets ran $seconds s without a crash"
