#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds taken from the golden captures in
# testdata/*.pcap (needs tshark, jq and xxd). Run from anywhere:
#   fuzz/seed-corpus.sh
# Seed formats (see the targets' doc comments):
#   packet_parse: the SCTP packet as captured (common header + chunks).
#   association:  [state=3 (ESTABLISHED), op=1 (raw chunks), len_hi, len_lo, chunks...]
#                 and [state=2 (COOKIE-ECHOED), ...] for a second starting state.
#   endpoint:     [op=0 (raw packet), flags=0, len_hi, len_lo, packet...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
for t in packet_parse association endpoint; do mkdir -p "$here/corpus/$t"; done
n=0
for pcap in "$root"/testdata/*.pcap; do
  tshark -r "$pcap" -Y sctp -T json -x -j sctp 2>/dev/null \
    | jq -r '.[]._source.layers.sctp_raw[0]? // empty' \
    | while read -r hex; do
        [ -n "$hex" ] || continue
        name="$(basename "$pcap" .pcap)-$(printf '%s' "$hex" | sha1sum | cut -c1-16)"
        printf '%s' "$hex" | xxd -r -p > "$here/corpus/packet_parse/$name"
        len=$(( ${#hex} / 2 ))
        clen=$(( len - 12 ))
        if [ "$clen" -gt 0 ]; then
          for st in 03 02; do
            { printf '%s01%04x' "$st" "$clen" | xxd -r -p; printf '%s' "${hex:24}" | xxd -r -p; } \
              > "$here/corpus/association/$st-$name"
          done
        fi
        { printf '0000%04x' "$len" | xxd -r -p; printf '%s' "$hex" | xxd -r -p; } \
          > "$here/corpus/endpoint/$name"
      done
  n=$((n + 1))
done
for t in packet_parse association endpoint; do
  echo "$t: $(ls "$here/corpus/$t" | wc -l) files from $n captures"
done
