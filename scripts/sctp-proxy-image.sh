#!/bin/sh
# Builds sctp-proxy's image with podman from sctp-proxy/Containerfile and proves it: the
# binary taken out of the image relays a real association between network namespaces
# (raw IP, a client and an sctp-echo backend), reading its configuration file, and
# drains on SIGTERM with exit 0. Needs root, podman, iproute2 and the Rust toolchain; no
# registry. Usage: scripts/sctp-proxy-image.sh [image-name]
set -eu

cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
image=${1:-localhost/sctp-proxy:$version}
target=x86_64-unknown-linux-gnu

for cmd in podman ip; do
    if ! command -v "$cmd" >/dev/null 2>&1; then
        echo "sctp-proxy-image: $cmd is not installed" >&2
        exit 1
    fi
done

# Static glibc and stripped: the image needs no C library and carries no symbols.
CARGO_PROFILE_RELEASE_STRIP=true RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --release --locked -p sctp-proxy --target "$target"
bin=target/$target/release/sctp-proxy
if readelf -d "$bin" | grep -q NEEDED; then
    echo "sctp-proxy-image: $bin needs shared libraries:" >&2
    readelf -d "$bin" | grep NEEDED >&2
    exit 1
fi
cargo build --locked -p sctp-examples --bin sctp-echo
echo_bin=target/debug/sctp-echo

work=$(mktemp -d)
ns="sctppxi$$"
cleanup() {
    for n in "${ns}p" "${ns}c" "${ns}b"; do
        for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$n" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/context"
cp "$bin" "$work/context/sctp-proxy"
podman build --quiet -f sctp-proxy/Containerfile -t "$image" "$work/context"
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$image"

# The image's own filesystem, run under chroot in the proxy's namespace: nothing but
# what the image holds (podman's network set-up is not needed to prove the binary).
cid=$(podman create "$image")
mkdir "$work/rootfs"
podman export "$cid" | tar -x -C "$work/rootfs"
podman rm "$cid" >/dev/null
entry=$(podman image inspect --format '{{json .Config.Entrypoint}}' "$image")
[ "$entry" = '["/usr/local/bin/sctp-proxy"]' ] || { echo "sctp-proxy-image: entrypoint $entry" >&2; exit 1; }
find "$work/rootfs" -type f | sed "s|$work/rootfs||"
# The devices every OCI runtime gives a container: the static binary draws its cookie
# secrets and ports from /dev/urandom.
mkdir -p "$work/rootfs/dev"
mknod -m 666 "$work/rootfs/dev/null" c 1 3
mknod -m 666 "$work/rootfs/dev/zero" c 1 5
mknod -m 444 "$work/rootfs/dev/random" c 1 8
mknod -m 444 "$work/rootfs/dev/urandom" c 1 9
mkdir -p "$work/rootfs/etc/sctp-proxy"
cat > "$work/rootfs/etc/sctp-proxy/proxy.toml" <<TOML
metrics = "127.0.0.1:9090"
drain-timeout-secs = 5
log-format = "json"

[[listener]]
listen = ["198.18.0.1:3868"]
[listener.backends]
static = ["198.18.1.2:3868"]
TOML

# proxy: 198.18.0.1 towards the client (198.18.0.2), 198.18.1.1 towards the backend (198.18.1.2).
for n in p c b; do ip netns add "$ns$n"; ip -n "$ns$n" link set lo up; done
ip link add "${ns}pc" netns "${ns}p" type veth peer name "${ns}cp" netns "${ns}c"
ip link add "${ns}pb" netns "${ns}p" type veth peer name "${ns}bp" netns "${ns}b"
ip -n "${ns}p" addr add 198.18.0.1/24 dev "${ns}pc"; ip -n "${ns}p" link set "${ns}pc" up
ip -n "${ns}c" addr add 198.18.0.2/24 dev "${ns}cp"; ip -n "${ns}c" link set "${ns}cp" up
ip -n "${ns}p" addr add 198.18.1.1/24 dev "${ns}pb"; ip -n "${ns}p" link set "${ns}pb" up
ip -n "${ns}b" addr add 198.18.1.2/24 dev "${ns}bp"; ip -n "${ns}b" link set "${ns}bp" up

ip netns exec "${ns}b" "$echo_bin" server --bind 198.18.1.2:3868 >"$work/backend.log" 2>&1 &
ip netns exec "${ns}p" chroot "$work/rootfs" /usr/local/bin/sctp-proxy \
    --config /etc/sctp-proxy/proxy.toml >"$work/proxy.out" 2>"$work/proxy.err" &
proxy_pid=$!
for _ in $(seq 100); do
    grep -q "listening on" "$work/proxy.out" 2>/dev/null && break
    sleep 0.1
done
if ! ip netns exec "${ns}c" "$echo_bin" client 198.18.0.1:3868 --count 1000 --streams 4 --timeout 30; then
    echo "sctp-proxy-image: the echo through the image's proxy failed" >&2
    cat "$work/proxy.err" "$work/backend.log" >&2
    exit 1
fi
ready=$(ip netns exec "${ns}p" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9090 && printf "GET /readyz HTTP/1.0\r\n\r\n" >&3 && head -n1 <&3')
case "$ready" in
    *" 200 "*) ;;
    *) echo "sctp-proxy-image: /readyz answered: $ready" >&2; exit 1 ;;
esac
kill -TERM "$proxy_pid"
if ! wait "$proxy_pid"; then
    echo "sctp-proxy-image: the proxy did not exit 0 after SIGTERM" >&2
    cat "$work/proxy.err" >&2
    exit 1
fi
grep -q '"message":"drained"' "$work/proxy.err" || { echo "sctp-proxy-image: no drain in the log" >&2; cat "$work/proxy.err" >&2; exit 1; }
echo "sctp-proxy-image: ok: $image relayed 1000 echoes, /readyz 200, drained on SIGTERM"
