#!/usr/bin/env bash
# node-guard against a real Kubernetes API server (kube-apiserver 1.20.2 with etcd).
#
# No registry ships kube-apiserver binaries, but Debian bookworm's `kubernetes` source
# package (1.20.2; bookworm builds only kubectl from it) contains cmd/kube-apiserver and
# builds with bookworm's Go 1.19, offline, from its vendor/ directory (with Debian's
# reflect2 1.0.2 swapped in, and the one generated file the tarball lacks generated).
#
#   scripts/kube-apiserver.sh build        fetch the source with apt, build and cache the
#                                          binary (only when the cache has none); prints its path
#   scripts/kube-apiserver.sh start DIR    CA, serving cert, tokens, etcd and kube-apiserver on
#                                          127.0.0.1 (free ports), deploy/rbac.yaml applied,
#                                          a Node created; writes DIR/env (source it)
#   scripts/kube-apiserver.sh stop DIR     stops both and removes DIR
#   scripts/kube-apiserver.sh test [ARGS]  build + start + `cargo test -p node-guard --test
#                                          real_apiserver ARGS` + stop (always, via trap)
#
# Needs root on Debian/Ubuntu to install what is missing (golang-go,
# golang-github-modern-go-reflect2-dev, etcd-server, curl, openssl). A cold build takes
# 6-10 minutes on 2 cores; a test run with the cached binary about 20 s. Environment:
#   NODE_GUARD_KUBE_CACHE       binary cache (default ${XDG_CACHE_HOME:-/var/cache}/node-guard-kube)
#   NODE_GUARD_KUBE_SOURCE_DIR  a directory already holding the .dsc and tarballs (skips apt;
#                               checksums are still verified against the .dsc)
#   NODE_GUARD_KUBE_BUILD_TIMEOUT  seconds for the Go build (default 3600)
set -euo pipefail

K8S_VERSION=1.20.2
DEB_VERSION=1.20.5+really1.20.2-1.1+deb12u1
ORIG_VERSION=1.20.5+really1.20.2
REPO=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${NODE_GUARD_KUBE_CACHE:-${XDG_CACHE_HOME:-/var/cache}/node-guard-kube}
# The suffix names the build recipe: bump it when the recipe changes (a binary from an
# earlier recipe is then rebuilt, not reused).
BIN=$CACHE/kube-apiserver-$K8S_VERSION-r2
SA_NAMESPACE=kube-system
SA_NAME=node-guard

log() { printf 'kube-apiserver.sh: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        die "missing packages: ${missing[*]} (run as root on Debian to install them)"
    fi
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
}

# --- build --------------------------------------------------------------------------

# Downloads the source package into $1 with apt, through a deb-src entry of our own that
# apt reads from a private directory (its package lists too): /etc/apt and
# /var/lib/apt/lists are never touched, and nothing is left behind.
fetch_source() {
    local dest=$1 aptdir=$2
    mkdir -p "$aptdir/sources.list.d" "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
    chmod -R 755 "$aptdir"
    cat >"$aptdir/sources.list.d/node-guard-kube-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    local opts=(
        -o "Dir::Etc::SourceList=/dev/null"
        -o "Dir::Etc::SourceParts=$aptdir/sources.list.d"
        -o "Dir::State::Lists=$aptdir/lists"
        -o "Dir::Cache=$aptdir/cache"
        -o "APT::Sandbox::User=root"
    )
    log "fetching Debian source package kubernetes=$DEB_VERSION with apt"
    apt-get "${opts[@]}" update -qq
    (cd "$dest" && apt-get "${opts[@]}" source --download-only "kubernetes=$DEB_VERSION")
    rm -rf "$aptdir"
}

# Checks the tarballs in $1 against the .dsc's SHA-256 sums.
verify_source() {
    local dir=$1 dsc
    dsc=$dir/kubernetes_$DEB_VERSION.dsc
    [[ -f $dsc ]] || die "no $dsc"
    awk '/^Checksums-Sha256:/{f=1;next} /^[^ ]/{f=0} f&&NF==3{print $1"  "$3}' "$dsc" >"$dir/SHA256SUMS"
    [[ -s $dir/SHA256SUMS ]] || die "no SHA-256 sums in $dsc"
    (cd "$dir" && sha256sum --quiet -c SHA256SUMS) || die "checksum mismatch in $dir"
}

cmd_build() {
    if [[ -x $BIN ]] && "$BIN" --version 2>/dev/null | grep -q "v$K8S_VERSION"; then
        log "cached: $BIN ($("$BIN" --version))"
        echo "$BIN"
        return 0
    fi
    ensure_packages golang-go golang-github-modern-go-reflect2-dev ca-certificates \
        debian-archive-keyring >&2
    mkdir -p "$CACHE"
    local work start
    work=$(mktemp -d "${TMPDIR:-/tmp}/node-guard-kube-build.XXXXXX")
    # shellcheck disable=SC2064
    trap "rm -rf '$work'" EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    mkdir -p "$work/src"
    if [[ -n ${NODE_GUARD_KUBE_SOURCE_DIR:-} ]]; then
        cp "$NODE_GUARD_KUBE_SOURCE_DIR"/kubernetes_* "$work/src/"
    else
        fetch_source "$work/src" "$work/apt" >&2
    fi
    verify_source "$work/src"
    tar -xzf "$work/src/kubernetes_$ORIG_VERSION.orig.tar.gz" -C "$work"
    local tree=$work/kubernetes-$K8S_VERSION
    [[ -d $tree/cmd/kube-apiserver ]] || die "no cmd/kube-apiserver in the source"
    # Kubernetes 1.20 builds in GOPATH mode (its hack/ scripts set GO111MODULE=off): in
    # module mode Go 1.19 stops with "updates to go.mod needed, disabled by -mod=vendor".
    # No `make`: it would first build and run every code generator, for one missing file.
    mkdir -p "$work/gopath/src/k8s.io"
    ln -s "$tree" "$work/gopath/src/k8s.io/kubernetes"
    # Kubernetes 1.20 vendors github.com/modern-go/reflect2 v1.0.1, which Go >= 1.18 breaks:
    # the server builds but panics (nil pointer in reflect2.Type2) decoding any object with
    # a map, e.g. on the first POST. v1.0.2 fixes it; Debian packages it
    # (golang-github-modern-go-reflect2-dev): swap it in (same API).
    local r2=vendor/github.com/modern-go/reflect2 deb_r2=/usr/share/gocode/src/github.com/modern-go/reflect2
    [[ -f $deb_r2/go_above_118.go ]] || die "$deb_r2 is not reflect2 >= 1.0.2"
    rm -f "$tree/$r2"/*.go "$tree/$r2"/*.s
    cp "$deb_r2"/*.go "$deb_r2"/*.s "$tree/$r2/"
    rm -f "$tree/$r2"/*_test.go
    local ldflags="-s -w" pkg
    for pkg in component-base/version client-go/pkg/version; do
        pkg=k8s.io/kubernetes/vendor/k8s.io/$pkg
        ldflags+=" -X $pkg.gitVersion=v$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=20"
        ldflags+=" -X $pkg.gitTreeState=archive"
    done
    log "building kube-apiserver $K8S_VERSION with $(go version) (nice, offline)"
    start=$(date +%s)
    (
        cd "$work/gopath/src/k8s.io/kubernetes"
        export GO111MODULE=off GOPATH="$work/gopath" GOCACHE="$work/gocache" GOPROXY=off \
            GOFLAGS='' CGO_ENABLED=0
        local deadline=$(($(date +%s) + ${NODE_GUARD_KUBE_BUILD_TIMEOUT:-3600}))
        left() { echo $((deadline - $(date +%s))); }
        # The tarball lacks one generated file, pkg/generated/openapi/zz_generated.openapi.go
        # (`make generated_files` writes it). Generate it as Makefile.generated_files does:
        # openapi-gen over every directory with a `+k8s:openapi-gen=` tag, except
        # code-generator's and sample-apiserver's.
        if [[ ! -f pkg/generated/openapi/zz_generated.openapi.go ]]; then
            timeout "$(left)" nice -n 10 go build -o "$work/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
            find -H . \( -not \( \( -path './_*' -o -path './.*' -o -path ./vendor \) -prune \) \) \
                -type f -name '*.go' |
                sed 's|^./staging/src|vendor|; s|/[^/]*$||; s|^./||' | LC_ALL=C sort -u |
                xargs -I{} find {} -maxdepth 1 -type f -name '*.go' |
                xargs grep --color=never -l '^// *+k8s:' |
                xargs grep --color=never -l '+k8s:openapi-gen=' |
                xargs -n1 dirname | LC_ALL=C sort -u |
                grep -v -e '^vendor/k8s.io/code-generator/' -e '^vendor/k8s.io/sample-apiserver/' |
                sed 's|^|k8s.io/kubernetes/|' >"$work/openapi-dirs"
            [[ -s $work/openapi-dirs ]] || die "no +k8s:openapi-gen packages found"
            timeout "$(left)" nice -n 10 "$work/openapi-gen" --logtostderr \
                -i "$(paste -sd, "$work/openapi-dirs")" \
                -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
                -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt \
                -r "$work/openapi-violations.report"
            # The same API rule violations as upstream's list: the generator saw what make would.
            diff <(LC_ALL=C sort "$work/openapi-violations.report") \
                <(LC_ALL=C sort api/api-rules/violation_exceptions.list) >&2 ||
                die "openapi-gen's API rule report differs from api/api-rules/violation_exceptions.list"
        fi
        timeout "$(left)" nice -n 10 go build -o "$work/kube-apiserver" \
            -ldflags "$ldflags" \
            ./cmd/kube-apiserver
    ) >&2
    "$work/kube-apiserver" --version | grep -q "v$K8S_VERSION" || die "the built binary does not say v$K8S_VERSION"
    install -m 0755 "$work/kube-apiserver" "$BIN.tmp"
    mv "$BIN.tmp" "$BIN"
    log "built $BIN in $(($(date +%s) - start)) s"
    echo "$BIN"
}

# --- start / stop -------------------------------------------------------------------

free_port() {
    local p i
    for i in $(seq 1 200); do
        p=$((20000 + RANDOM % 30000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    die "no free port found"
}

token() { openssl rand -hex 24; }

# POSTs one YAML document (stdin) to the API server as admin; kind and namespace pick the
# URL. Prints the HTTP status.
post_yaml() {
    local doc kind ns url
    doc=$(cat)
    kind=$(awk '/^kind:/{print $2; exit}' <<<"$doc")
    ns=$(awk '/^metadata:/{m=1;next} /^[^ ]/{m=0} m&&/^  namespace:/{print $2; exit}' <<<"$doc")
    case $kind in
    ServiceAccount) url=/api/v1/namespaces/$ns/serviceaccounts ;;
    Namespace) url=/api/v1/namespaces ;;
    Node) url=/api/v1/nodes ;;
    ClusterRole) url=/apis/rbac.authorization.k8s.io/v1/clusterroles ;;
    ClusterRoleBinding) url=/apis/rbac.authorization.k8s.io/v1/clusterrolebindings ;;
    Role) url=/apis/rbac.authorization.k8s.io/v1/namespaces/$ns/roles ;;
    RoleBinding) url=/apis/rbac.authorization.k8s.io/v1/namespaces/$ns/rolebindings ;;
    *) die "post_yaml: unsupported kind ${kind:-?}" ;;
    esac
    curl -sS --cacert "$DIR/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" \
        -H 'Content-Type: application/yaml' --data-binary @- -o "$DIR/last-response.json" \
        -w '%{http_code}' "$SERVER$url" <<<"$doc"
}

# Applies a multi-document YAML file (created: 201; already there: 409 is fine).
apply_file() {
    local file=$1 doc="" line code n=0
    apply_doc() {
        grep -q '^kind:' <<<"$doc" || return 0
        code=$(post_yaml <<<"$doc")
        [[ $code == 201 || $code == 409 ]] || die "applying a $(awk '/^kind:/{print $2; exit}' <<<"$doc") from $file: HTTP $code: $(cat "$DIR/last-response.json")"
        n=$((n + 1))
    }
    while IFS= read -r line || [[ -n $line ]]; do
        if [[ $line == --- ]]; then
            apply_doc
            doc=""
        else
            doc+=$line$'\n'
        fi
    done <"$file"
    apply_doc
    log "applied $n objects from ${file#"$REPO"/}"
}

http_code() {
    local tok=$1
    shift
    curl -sS --cacert "$DIR/ca.crt" -H "Authorization: Bearer $tok" -o /dev/null -w '%{http_code}' "$@"
}

cmd_start() {
    DIR=${1:?usage: start DIR}
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd)
    ensure_packages etcd-server openssl curl >&2
    local bin
    bin=$(cmd_build)
    cd "$DIR"
    # A failed start leaves no process behind (the logs stay in DIR).
    STARTED=0
    # shellcheck disable=SC2064
    trap "[[ \$STARTED == 1 ]] || stop_procs '$DIR'" EXIT

    # A CA and a serving certificate for 127.0.0.1 (rustls wants the IP in the SAN and a
    # v3 CA).
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=node-guard-test-ca" \
        -keyout ca.key -out ca.crt \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
        -keyout server.key -out server.csr 2>/dev/null
    printf '%s\n' "basicConstraints=critical,CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" \
        "extendedKeyUsage=serverAuth" \
        "subjectAltName=IP:127.0.0.1,DNS:localhost" >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile server.ext -out server.crt 2>/dev/null
    # The service account signing key 1.20 requires.
    openssl genrsa -out sa.key 2048 2>/dev/null
    openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null

    # Static tokens: an admin, node-guard's service account (as deploy/rbac.yaml names it)
    # and a service account without any binding.
    local sa_ns sa_name
    sa_ns=$(awk '/^kind: ServiceAccount/{s=1} s&&/^  namespace:/{print $2; exit}' "$REPO/deploy/rbac.yaml")
    sa_name=$(awk '/^kind: ServiceAccount/{s=1} s&&/^  name:/{print $2; exit}' "$REPO/deploy/rbac.yaml")
    [[ $sa_ns == "$SA_NAMESPACE" && $sa_name == "$SA_NAME" ]] ||
        die "deploy/rbac.yaml's ServiceAccount is $sa_ns/$sa_name, expected $SA_NAMESPACE/$SA_NAME"
    ADMIN_TOKEN=$(token)
    local sa_token nobody_token sa_groups
    sa_token=$(token)
    nobody_token=$(token)
    sa_groups="system:serviceaccounts,system:serviceaccounts:$sa_ns,system:authenticated"
    {
        echo "$ADMIN_TOKEN,node-guard-test-admin,uid-admin,\"system:masters\""
        echo "$sa_token,system:serviceaccount:$sa_ns:$sa_name,uid-node-guard,\"$sa_groups\""
        echo "$nobody_token,system:serviceaccount:$sa_ns:default,uid-default,\"$sa_groups\""
    } >tokens.csv
    chmod 600 tokens.csv ./*.key

    local etcd_port peer_port api_port
    etcd_port=$(free_port)
    peer_port=$(free_port)
    api_port=$(free_port)
    SERVER=https://127.0.0.1:$api_port

    setsid etcd --name node-guard-test --data-dir "$DIR/etcd" \
        --listen-client-urls "http://127.0.0.1:$etcd_port" \
        --advertise-client-urls "http://127.0.0.1:$etcd_port" \
        --listen-peer-urls "http://127.0.0.1:$peer_port" \
        --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
        --initial-cluster "node-guard-test=http://127.0.0.1:$peer_port" \
        --logger zap --log-level warn >etcd.log 2>&1 </dev/null &
    echo $! >etcd.pid

    setsid "$bin" \
        --etcd-servers="http://127.0.0.1:$etcd_port" \
        --bind-address=127.0.0.1 --secure-port="$api_port" --insecure-port=0 \
        --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
        --tls-cert-file=server.crt --tls-private-key-file=server.key --cert-dir="$DIR/certs" \
        --token-auth-file=tokens.csv --anonymous-auth=false \
        --authorization-mode=Node,RBAC \
        --service-account-issuer=https://kubernetes.default.svc \
        --service-account-key-file=sa.pub --service-account-signing-key-file=sa.key \
        --api-audiences=https://kubernetes.default.svc \
        --service-cluster-ip-range=10.96.0.0/24 \
        --profiling=false --v=1 >kube-apiserver.log 2>&1 </dev/null &
    echo $! >kube-apiserver.pid

    local i
    for i in $(seq 1 120); do
        [[ $(http_code "$ADMIN_TOKEN" "$SERVER/readyz" 2>/dev/null || true) == 200 ]] && break
        alive "$(cat kube-apiserver.pid)" || {
            tail -n 30 kube-apiserver.log >&2
            die "kube-apiserver exited"
        }
        ((i < 120)) || {
            tail -n 30 kube-apiserver.log >&2
            die "kube-apiserver not ready after 120 s"
        }
        sleep 1
    done
    # The bootstrap controller creates the system namespaces shortly after /readyz.
    for i in $(seq 1 30); do
        [[ $(http_code "$ADMIN_TOKEN" "$SERVER/api/v1/namespaces/$sa_ns") == 200 &&
            $(http_code "$ADMIN_TOKEN" "$SERVER/api/v1/namespaces/default") == 200 ]] && break
        sleep 1
    done
    log "kube-apiserver $("$bin" --version | awk '{print $2}') ready at $SERVER (etcd 127.0.0.1:$etcd_port)"

    apply_file "$REPO/deploy/rbac.yaml"
    local code
    code=$(post_yaml <<<"$(printf '%s\n' 'apiVersion: v1' 'kind: Node' 'metadata:' '  name: node-guard-smoke' '  labels:' '    kubernetes.io/hostname: node-guard-smoke')")
    [[ $code == 201 || $code == 409 ]] || die "creating Node node-guard-smoke: HTTP $code"
    # Smoke check of the RBAC before any test: the service account may read a node, not list.
    [[ $(http_code "$sa_token" "$SERVER/api/v1/nodes/node-guard-smoke") == 200 ]] ||
        die "node-guard's service account cannot read a node: is deploy/rbac.yaml applied?"
    [[ $(http_code "$sa_token" "$SERVER/api/v1/nodes") == 403 ]] ||
        die "node-guard's service account may list nodes"

    kubeconfig() {
        printf '%s\n' "apiVersion: v1" "kind: Config" "clusters:" "- name: real" "  cluster:" \
            "    server: $SERVER" "    certificate-authority: $DIR/ca.crt" "contexts:" \
            "- name: real" "  context:" "    cluster: real" "    user: u" \
            "current-context: real" "users:" "- name: u" "  user:" "    token: $1"
    }
    kubeconfig "$ADMIN_TOKEN" >admin.kubeconfig
    kubeconfig "$sa_token" >node-guard.kubeconfig
    chmod 600 ./*.kubeconfig
    cat >"$DIR/env" <<EOF
export NODE_GUARD_REAL_APISERVER=$SERVER
export NODE_GUARD_REAL_APISERVER_CA=$DIR/ca.crt
export NODE_GUARD_REAL_APISERVER_ADMIN_TOKEN=$ADMIN_TOKEN
export NODE_GUARD_REAL_APISERVER_SA_TOKEN=$sa_token
export NODE_GUARD_REAL_APISERVER_NOBODY_TOKEN=$nobody_token
export NODE_GUARD_REAL_APISERVER_VERSION=v$K8S_VERSION
EOF
    STARTED=1
    log "started; source $DIR/env (kubeconfigs: $DIR/admin.kubeconfig, $DIR/node-guard.kubeconfig)"
}

# Whether $1 runs (a zombie whose parent has gone does not count).
alive() {
    local stat
    stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [[ -n $stat && $stat != Z* ]]
}

stop_pid() {
    local f=$1 pid i
    [[ -f $f ]] || return 0
    pid=$(cat "$f")
    if alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        for i in $(seq 1 50); do
            alive "$pid" || break
            sleep 0.2
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
}

stop_procs() {
    stop_pid "$1/kube-apiserver.pid"
    stop_pid "$1/etcd.pid"
}

cmd_stop() {
    local dir=${1:?usage: stop DIR}
    [[ -d $dir ]] || return 0
    stop_procs "$dir"
    rm -rf "$dir"
}

cmd_test() {
    local dir rc=0 start
    dir=$(mktemp -d "${TMPDIR:-/tmp}/node-guard-kube.XXXXXX")
    # Each step runs in the background and is waited for, so that INT/TERM reach the trap
    # at once; the trap stops the step, and the EXIT trap the servers.
    CHILD=
    # shellcheck disable=SC2064
    trap "cmd_stop '$dir'" EXIT
    trap '[[ -z $CHILD ]] || kill -TERM "$CHILD" 2>/dev/null; exit 130' INT TERM
    start=$(date +%s)
    (cmd_build) >/dev/null &
    CHILD=$!
    wait "$CHILD" || die "could not build kube-apiserver"
    log "build step: $(($(date +%s) - start)) s"
    (cmd_start "$dir") &
    CHILD=$!
    wait "$CHILD" || {
        tail -n 40 "$dir/kube-apiserver.log" "$dir/etcd.log" >&2 2>/dev/null || true
        die "could not start the API server"
    }
    # shellcheck disable=SC1091
    source "$dir/env"
    export NODE_GUARD_REAL_APISERVER_REQUIRED=1
    start=$(date +%s)
    (cd "$REPO" && exec timeout 1800 cargo test -p node-guard --test real_apiserver "$@") &
    CHILD=$!
    wait "$CHILD" || rc=$?
    CHILD=
    log "cargo test: $(($(date +%s) - start)) s, exit $rc"
    if ((rc != 0)); then
        log "last lines of the kube-apiserver log:"
        tail -n 40 "$dir/kube-apiserver.log" >&2 || true
    fi
    return "$rc"
}

case ${1:-} in
build) cmd_build ;;
start) cmd_start "${2:-}" ;;
stop) cmd_stop "${2:-}" ;;
test)
    shift
    cmd_test "$@"
    ;;
*)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
