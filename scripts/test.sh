#!/usr/bin/env bash
# The whole test suite: installs the system tools the tests use (when run as
# root on Debian/Ubuntu), then runs every test of the workspace.
#
# Tests that need root (raw sockets, network namespaces) skip loudly without it.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(iproute2 nftables tshark libusrsctp-examples libusrsctp-dev gcc cbindgen pkg-config strace dnsmasq-base)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        # tshark asks whether non-root users may capture: no.
        echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
        apt-get update
        apt-get install -y --no-install-recommends "${missing[@]}" </dev/null
    else
        echo "warning: missing ${missing[*]}; tests that need them will skip (run as root to install)" >&2
    fi
fi

cargo test --workspace "$@"
