# Sourced by the benchmark scripts: two network namespaces joined by a veth,
# 198.18.0.1/24 in the first and 198.18.0.2/24 in the second, both up.
#
#   netns_pair NS_A NS_B IF_A IF_B
#   kill_ns NS          # ends every process still running in NS

netns_pair() {
    local a=$1 b=$2 if_a=$3 if_b=$4
    ip netns add "$a"
    ip netns add "$b"
    ip link add "$if_a" netns "$a" type veth peer name "$if_b" netns "$b"
    ip -n "$a" link set lo up
    ip -n "$b" link set lo up
    ip -n "$a" addr add 198.18.0.1/24 dev "$if_a"
    ip -n "$b" addr add 198.18.0.2/24 dev "$if_b"
    ip -n "$a" link set "$if_a" up
    ip -n "$b" link set "$if_b" up
    sleep 0.5
}

kill_ns() {
    local pids
    pids=$(ip netns pids "$1" 2>/dev/null || true)
    [[ -z $pids ]] || kill $pids 2>/dev/null || true
}
