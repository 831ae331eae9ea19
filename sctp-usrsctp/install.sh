#!/usr/bin/env bash
# Builds libusrsctp (this crate) and installs it as usrsctp is installed:
#
#   PREFIX/lib/libusrsctp.so.2        the shared library (soname libusrsctp.so.2)
#   PREFIX/lib/libusrsctp.so          -> libusrsctp.so.2, for -lusrsctp
#   PREFIX/lib/libusrsctp.a           the static library
#   PREFIX/include/usrsctp.h          generated with cbindgen (cbindgen.toml)
#   PREFIX/lib/pkgconfig/usrsctp.pc   from usrsctp.pc.in
#
# Usage: install.sh [OPTIONS] [PREFIX]        (PREFIX defaults to /usr/local)
#
#   --profile NAME   Cargo profile to build and install: release (default),
#                    debug, or any custom profile. Also $USRSCTP_PROFILE.
#   --no-build       do not run cargo; install what the profile's target
#                    directory holds (e.g. after `cargo test`). Also
#                    USRSCTP_NO_BUILD=1.
#   --header FILE    only generate usrsctp.h into FILE (no build, no install).
#   -h, --help       this text.
#
# Environment: DESTDIR (staged install: files go to $DESTDIR$PREFIX, the .pc
# file still says PREFIX), CARGO (default cargo), CBINDGEN (default
# cbindgen), CARGO_TARGET_DIR.
#
# cbindgen: Debian's package `cbindgen` (0.24) or any later one.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=${0##*/}

die() {
    echo "$prog: error: $*" >&2
    exit 1
}

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# need COMMAND WHAT-FOR: fails naming the missing command and how to get it.
need() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' not found (needed $2)"
}

profile=${USRSCTP_PROFILE:-release}
build=1
[[ ${USRSCTP_NO_BUILD:-0} == 1 ]] && build=0
header_only=""
prefix=""
while (($#)); do
    case $1 in
    -h | --help)
        usage
        exit 0
        ;;
    --profile)
        (($# >= 2)) || die "--profile needs a value (release, debug, ...)"
        profile=$2
        shift 2
        ;;
    --profile=*)
        profile=${1#--profile=}
        shift
        ;;
    --no-build)
        build=0
        shift
        ;;
    --header)
        (($# >= 2)) || die "--header needs a file name"
        header_only=$2
        shift 2
        ;;
    --header=*)
        header_only=${1#--header=}
        shift
        ;;
    --)
        shift
        break
        ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *)
        [[ -z $prefix ]] || die "more than one PREFIX given ('$prefix' and '$1')"
        prefix=$1
        shift
        ;;
    esac
done
if (($#)); then
    [[ -z $prefix && $# -eq 1 ]] || die "more than one PREFIX given"
    prefix=$1
fi
[[ -n $profile ]] || die "empty --profile"

CARGO=${CARGO:-cargo}
CBINDGEN=${CBINDGEN:-cbindgen}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/usrsctp-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# gen_header OUT: usrsctp.h from the crate's source, with cbindgen.
gen_header() {
    local out=$1
    need "$CBINDGEN" "to generate usrsctp.h; install Debian's package 'cbindgen' (apt-get install cbindgen) or set CBINDGEN"
    [[ -f $here/cbindgen.toml ]] || die "$here/cbindgen.toml is missing"
    [[ -f $here/src/abi.rs ]] || die "$here/src/abi.rs is missing"
    [[ -f $here/src/ffi/misc.rs ]] || die "$here/src/ffi/misc.rs is missing"

    # The crate as cbindgen 0.24 (syn 1) can parse it: edition 2024's
    # #[unsafe(no_mangle)] / #[unsafe(export_name = ...)] spelt the old way,
    # and Option<CallbackAlias> (nullable function pointers behind a type
    # alias, which cbindgen would take for a generic struct) as the alias.
    local src=$tmp/src
    cp -R "$here/src" "$src"
    find "$src" -name '*.rs' -exec sed -i -E \
        -e 's/#\[unsafe\((.*)\)\]/#[\1]/' \
        -e 's/Option<([A-Z][A-Za-z0-9_]*)>/\1/g' {} +

    # Every struct, union and typedef of src/abi.rs, used or not.
    local names
    mapfile -t names < <(sed -n -E 's/^pub (struct|union|type) ([A-Za-z_][A-Za-z0-9_]*).*/\2/p' "$here/src/abi.rs")
    ((${#names[@]})) || die "no pub struct/union/type found in $here/src/abi.rs"
    local last_table
    last_table=$(grep -E '^\[' "$here/cbindgen.toml" | tail -n 1)
    [[ $last_table == "[export]" ]] ||
        die "cbindgen.toml: [export] must be the last table (found '$last_table'): the include list is appended to it"
    {
        cat "$here/cbindgen.toml"
        printf 'include = ['
        printf '"%s", ' "${names[@]}"
        printf ']\n'
    } >"$tmp/cbindgen.toml"

    if ! "$CBINDGEN" --config "$tmp/cbindgen.toml" --lang c --output "$tmp/raw.h" "$src/lib.rs" 2>"$tmp/cbindgen.log"; then
        cat "$tmp/cbindgen.log" >&2
        die "cbindgen failed on the crate's source (copy in $src)"
    fi
    # What cbindgen says that is not expected: libc's types it does not
    # parse (named by the renames) and non-pub items it skips.
    grep -v -E "Can't find (socket|DebugPrintf|sockaddr|sockaddr_in|sockaddr_in6|sockaddr_storage|socklen_t)\.|: Skip .* - \(not .(pub|no_mangle).\)" \
        "$tmp/cbindgen.log" >&2 || true

    # The usrsctp_sysctl_set_X/get_X pairs: the names of `sysctls!(...)`.
    local sysctls
    mapfile -t sysctls < <(sed -n '/^sysctls!(/,/^);/p' "$here/src/ffi/misc.rs" |
        sed -n -E 's/^[[:space:]]+([A-Za-z_][A-Za-z0-9_]*),?[[:space:]]*$/\1/p')
    ((${#sysctls[@]})) || die "no names found in the sysctls!(...) list of $here/src/ffi/misc.rs"
    printf 'USRSCTP_SYSCTL_DECL(%s)\n' "${sysctls[@]}" >"$tmp/sysctls.h"

    grep -q '^/\* @USRSCTP_SYSCTL_DECLS@ \*/$' "$tmp/raw.h" ||
        die "cbindgen.toml: the '/* @USRSCTP_SYSCTL_DECLS@ */' line of after_includes is missing"
    # Fix-ups of what cbindgen writes:
    # - flexible array members: usrsctp.h has `uint8_t sac_info[];`,
    #   cbindgen writes the Rust `[u8; 0]` as `[0]`;
    # - isize is ssize_t in usrsctp.h (cbindgen: ptrdiff_t).
    awk -v decls="$tmp/sysctls.h" '
        $0 == "/* @USRSCTP_SYSCTL_DECLS@ */" {
            while ((getline line < decls) > 0) print line
            next
        }
        { print }
    ' "$tmp/raw.h" |
        sed -E -e 's/^([[:space:]]+[^;(]*[A-Za-z0-9_])\[0\];/\1[];/' \
            -e 's/\<ptrdiff_t\>/ssize_t/g' >"$tmp/usrsctp.h"
    # - constants above INT_MAX in hex, as usrsctp.h writes them: in C,
    #   0xffffffff is an unsigned int, cbindgen's 4294967295 a long.
    local line
    while IFS= read -r line; do
        if [[ $line =~ ^#define\ ([A-Za-z_][A-Za-z0-9_]*)\ ([0-9]+)$ ]] &&
            ((${#BASH_REMATCH[2]} <= 10 && BASH_REMATCH[2] > 2147483647 && BASH_REMATCH[2] <= 4294967295)); then
            printf '#define %s %#x\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
        else
            printf '%s\n' "$line"
        fi
    done <"$tmp/usrsctp.h" >"$tmp/usrsctp.h.new"
    mv "$tmp/usrsctp.h.new" "$tmp/usrsctp.h"
    grep -q 'usrsctp_socket(' "$tmp/usrsctp.h" ||
        die "the generated header declares no usrsctp_socket: cbindgen did not find the functions"
    mkdir -p "$(dirname "$out")"
    cp "$tmp/usrsctp.h" "$out"
}

if [[ -n $header_only ]]; then
    [[ -z $prefix ]] || die "--header takes no PREFIX"
    gen_header "$header_only"
    echo "$prog: wrote $header_only"
    exit 0
fi

prefix=${prefix:-/usr/local}
[[ $prefix == /* ]] || die "PREFIX must be an absolute path (got '$prefix')"
prefix=${prefix%/}
destdir=${DESTDIR:-}
[[ -z $destdir || $destdir == /* ]] || die "DESTDIR must be an absolute path (got '$destdir')"
[[ -f $here/usrsctp.pc.in ]] || die "$here/usrsctp.pc.in is missing"

# Cargo's flags and output directory for the profile.
case $profile in
release) profile_flags=(--release) profile_dir=release ;;
debug | dev) profile_flags=() profile_dir=debug ;;
*) profile_flags=(--profile "$profile") profile_dir=$profile ;;
esac

if ((build)); then
    need "$CARGO" "to build the library (https://rustup.rs), or pass --no-build"
    echo "$prog: building: $CARGO build ${profile_flags[*]} -p sctp-usrsctp"
    (cd "$here" && "$CARGO" build "${profile_flags[@]}" -p sctp-usrsctp)
fi

if [[ -n ${CARGO_TARGET_DIR:-} ]]; then
    target=$CARGO_TARGET_DIR
elif command -v "$CARGO" >/dev/null 2>&1; then
    target=$(cd "$here" && "$CARGO" metadata --format-version 1 --no-deps 2>/dev/null |
        sed -n -E 's/.*"target_directory":"([^"]*)".*/\1/p')
fi
target=${target:-$here/../target}
[[ $target == /* ]] || target=$here/$target
out=$target/$profile_dir

# newest FILE: the newer of out/FILE and out/deps/FILE (a test build leaves
# the library in deps/ only; `cargo build` copies it up).
newest() {
    local a=$out/$1 b=$out/deps/$1
    if [[ -f $a && -f $b ]]; then
        [[ $b -nt $a ]] && echo "$b" || echo "$a"
    elif [[ -f $a ]]; then
        echo "$a"
    elif [[ -f $b ]]; then
        echo "$b"
    fi
}
so=$(newest libusrsctp.so)
ar=$(newest libusrsctp.a)
[[ -n $so ]] || die "$out/libusrsctp.so not found: build profile '$profile' first (without --no-build, or cargo build -p sctp-usrsctp)"
[[ -n $ar ]] || die "$out/libusrsctp.a not found: build profile '$profile' first (without --no-build, or cargo build -p sctp-usrsctp)"

gen_header "$tmp/include/usrsctp.h"

sed -e "s|@PREFIX@|$prefix|g" "$here/usrsctp.pc.in" >"$tmp/usrsctp.pc"
! grep -q '@[A-Z_]*@' "$tmp/usrsctp.pc" || die "usrsctp.pc.in has a placeholder install.sh does not fill: $(grep -o '@[A-Z_]*@' "$tmp/usrsctp.pc" | head -n 1)"

root=$destdir$prefix
echo "$prog: installing into $root"
install -d "$root/lib" "$root/lib/pkgconfig" "$root/include"
install -m 0755 "$so" "$root/lib/libusrsctp.so.2"
ln -sfn libusrsctp.so.2 "$root/lib/libusrsctp.so"
install -m 0644 "$ar" "$root/lib/libusrsctp.a"
install -m 0644 "$tmp/include/usrsctp.h" "$root/include/usrsctp.h"
install -m 0644 "$tmp/usrsctp.pc" "$root/lib/pkgconfig/usrsctp.pc"
for f in lib/libusrsctp.so.2 lib/libusrsctp.so lib/libusrsctp.a include/usrsctp.h lib/pkgconfig/usrsctp.pc; do
    echo "  $root/$f"
done
if [[ -z $destdir ]]; then
    echo "$prog: done; programs find it with PKG_CONFIG_PATH=$prefix/lib/pkgconfig (and ldconfig or LD_LIBRARY_PATH=$prefix/lib at run time if $prefix/lib is not a system library directory)"
fi
