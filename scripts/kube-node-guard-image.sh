#!/bin/sh
# Builds node-guard's image with podman from node-guard/Containerfile and proves it:
# `node-guard check` run from the image against fixture host roots gives the right verdict
# and exit code. Needs root (or rootless podman), podman and the Rust toolchain; no
# registry. Usage: scripts/kube-node-guard-image.sh [image-name]
set -eu

cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
image=${1:-localhost/node-guard:$version}
target=x86_64-unknown-linux-gnu

if ! command -v podman >/dev/null 2>&1; then
    echo "kube-node-guard-image: podman is not installed (apt-get install podman)" >&2
    exit 1
fi

# Static glibc and stripped: the image needs no C library and carries no symbols.
CARGO_PROFILE_RELEASE_STRIP=true RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --release --locked -p node-guard --target "$target"
bin=target/$target/release/node-guard
# A static(-pie) binary has no NEEDED entries: no shared library to find in the image.
if readelf -d "$bin" | grep -q NEEDED; then
    echo "kube-node-guard-image: $bin needs shared libraries:" >&2
    readelf -d "$bin" | grep NEEDED >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/context"
cp "$bin" "$work/context/node-guard"
podman build --quiet -f node-guard/Containerfile -t "$image" "$work/context"
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$image"

# A fixture host root: Debian 12 with the sctp module installed and nothing stopping it.
root=$work/host
rel=6.1.0-18-amd64
mkdir -p "$root/proc/sys/kernel" "$root/lib/modules/$rel/kernel/net/sctp" "$root/etc/modprobe.d"
echo "$rel" > "$root/proc/sys/kernel/osrelease"
echo 0 > "$root/proc/sys/kernel/modules_disabled"
echo "xt_sctp 16384 2 - Live 0x0000000000000000" > "$root/proc/modules"
echo "BOOT_IMAGE=/boot/vmlinuz-$rel ro quiet" > "$root/proc/cmdline"
printf 'kernel/net/sctp/sctp.ko: kernel/lib/libcrc32c.ko\nkernel/net/sctp/sctp_diag.ko: kernel/net/sctp/sctp.ko\nkernel/lib/libcrc32c.ko:\n' \
    > "$root/lib/modules/$rel/modules.dep"
printf '\177ELF' > "$root/lib/modules/$rel/kernel/net/sctp/sctp.ko"

# Run from the image with podman; where the sandbox forbids the container runtime's
# setrlimit calls (containers without CAP_SYS_RESOURCE, such as some CI runners), run the
# image's own filesystem under chroot instead: still nothing but what the image holds.
runner=podman
if ! podman run --rm --network=none "$image" --version >/dev/null 2>"$work/podman.err"; then
    echo "kube-node-guard-image: podman run fails here ($(tail -n1 "$work/podman.err")); using chroot into the image's filesystem" >&2
    runner=chroot
    cid=$(podman create "$image")
    mkdir "$work/rootfs"
    podman export "$cid" | tar -x -C "$work/rootfs"
    podman rm "$cid" >/dev/null
    ls -A "$work/rootfs"
fi

run_check() {
    if [ "$runner" = podman ]; then
        podman run --rm --network=none -v "$root:/host:ro" "$image" check --host-root=/host --format json
    else
        rm -rf "$work/rootfs/host"
        cp -a "$root" "$work/rootfs/host"
        chroot "$work/rootfs" /node-guard check --host-root=/host --format json
    fi
}

check() {
    want=$1
    state=$2
    set +e
    out=$(run_check)
    code=$?
    set -e
    if [ "$code" != "$want" ] || ! printf '%s' "$out" | grep -q "\"state\": \"$state\""; then
        echo "kube-node-guard-image: expected exit $want and state $state, got exit $code:" >&2
        printf '%s\n' "$out" >&2
        exit 1
    fi
    echo "kube-node-guard-image: check in the image ($runner): $state, exit $code"
}

check 1 loadable
printf 'install sctp /bin/false\ninstall sctp_diag /bin/false\n' > "$root/etc/modprobe.d/00-site.conf"
check 0 blocked
echo 'install sctp /usr/local/sbin/site-policy' > "$root/etc/modprobe.d/00-site.conf"
check 2 unknown
echo "kube-node-guard-image: ok: $image"
