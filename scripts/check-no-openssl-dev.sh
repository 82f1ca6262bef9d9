#!/usr/bin/env bash
# Proves issue 19: dspec builds, runs and passes its tests with nothing but Swift installed, i.e. without
# OpenSSL's development files (openssl/*.h and the libcrypto.so symlink, Debian package libssl-dev) and
# without pkg-config. Only the OpenSSL 3 runtime (libcrypto.so.3, package libssl3), which Swift's own
# dependencies bring, is used.
#
# Usage (from a scratch clone, never from a machine other people build on when removing packages):
#   scripts/check-no-openssl-dev.sh                    # check without removing anything (see below)
#   scripts/check-no-openssl-dev.sh --hide-dev-files   # as root: same, with libssl-dev's files and pkg-config
#                                                      # hidden in a private mount namespace (unshare -m); the
#                                                      # machine itself is not changed, so this is safe anywhere
#   scripts/check-no-openssl-dev.sh --remove-packages  # as root: apt-get remove libssl-dev pkg-config first
#
# --hide-dev-files mounts, for this process only: an empty folder over /usr/include/openssl and
# /usr/include/<arch>/openssl; an overlay over the library folder that deletes libcrypto.so, libssl.so, the
# static libraries and pkgconfig/ (libcrypto.so.3 stays); and a failing program over pkg-config and pkgconf.
#
# In every mode it shows that nothing OpenSSL-dev is used:
#   1. no file under Sources includes an OpenSSL header, and Package.swift names no pkg-config package;
#   2. the build runs with PKG_CONFIG_PATH set to an empty folder and a `pkg-config` on PATH that records
#      every call and fails; the script fails if it was called at all;
#   3. after a clean build, no compiler dependency file or module cache in the build folder mentions an
#      OpenSSL header (include/openssl/...), and the link line names libcrypto only by soname
#      (-l:libcrypto.so.3, never -lcrypto, which would need the libcrypto.so symlink from libssl-dev);
#   4. `swift run dspec lint specs/examples` and `swift test` pass.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

remove=0
hide=0
for arg in "$@"; do
  case "$arg" in
    --remove-packages) remove=1 ;;
    --hide-dev-files) hide=1 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "$hide" = 1 ] && [ -z "${DSPEC_CHECK_IN_NAMESPACE:-}" ]; then
  [ "$(id -u)" = 0 ] || fail "--hide-dev-files needs root (mount namespaces)"
  command -v unshare >/dev/null || fail "--hide-dev-files needs unshare (util-linux)"
  exec env DSPEC_CHECK_IN_NAMESPACE=1 unshare --mount --propagation private "$0" "$@"
fi
work=$(mktemp -d)
trap 'umount -l "$work/ns" 2>/dev/null || true; rm -rf "$work"' EXIT

if [ "$hide" = 1 ]; then
  # Inside the private mount namespace: nothing below is visible to other processes.
  runtime="/usr/lib/$(uname -m)-linux-gnu/libcrypto.so.3"
  [ -e "$runtime" ] || runtime=$(ldconfig -p | awk '/libcrypto\.so\.3 / { print $NF; exit }')
  [ -n "$runtime" ] || fail "libcrypto.so.3 (the OpenSSL 3 runtime) is not installed"
  libdir=$(dirname "$(readlink -f "$runtime")")
  ns="$work/ns"
  mkdir -p "$ns"
  mount -t tmpfs tmpfs "$ns"
  mkdir -p "$ns/upper" "$ns/work" "$ns/empty"
  for name in libcrypto.so libssl.so libcrypto.a libssl.a pkgconfig; do mknod "$ns/upper/$name" c 0 0; done  # overlay whiteouts
  mount -t overlay overlay -o "lowerdir=$libdir,upperdir=$ns/upper,workdir=$ns/work" "$libdir"
  for dir in /usr/include/openssl /usr/include/*/openssl; do
    if [ -d "$dir" ]; then mount --bind "$ns/empty" "$dir"; fi
  done
  printf '#!/bin/sh\necho "pkg-config is hidden by check-no-openssl-dev.sh" >&2\nexit 127\n' > "$ns/no-pkg-config"
  chmod +x "$ns/no-pkg-config"
  for tool in pkg-config pkgconf "$(uname -m)-linux-gnu-pkg-config"; do
    path=$(command -v "$tool" || true)
    if [ -n "$path" ]; then mount --bind "$ns/no-pkg-config" "$path"; fi
  done
  echo "== hidden in a private mount namespace: OpenSSL headers, $libdir/{libcrypto,libssl}.{so,a}, pkgconfig/, pkg-config"
  [ ! -e /usr/include/openssl/evp.h ] || fail "/usr/include/openssl/evp.h is still visible"
  [ ! -e "$libdir/libcrypto.so" ] || fail "$libdir/libcrypto.so is still visible"
  [ -e "$libdir/libcrypto.so.3" ] || fail "$libdir/libcrypto.so.3 (the runtime) disappeared"
  ! pkg-config --exists libcrypto 2>/dev/null || fail "pkg-config still finds libcrypto"
fi

if [ "$remove" = 1 ]; then
  [ "$(id -u)" = 0 ] || fail "--remove-packages needs root (apt-get remove)"
  echo "== removing libssl-dev and pkg-config (this machine only; run in a scratch environment)"
  DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq libssl-dev pkg-config pkgconf >/dev/null
  [ ! -e /usr/include/openssl/evp.h ] || fail "/usr/include/openssl/evp.h still exists"
  ! command -v pkg-config >/dev/null || fail "pkg-config is still installed: $(command -v pkg-config)"
fi

echo "== 1. no OpenSSL header included under Sources, no pkg-config in Package.swift"
if grep -rnE '^\s*#\s*(include|import)\s*[<"]openssl/' Sources; then
  fail "a file under Sources includes an OpenSSL header (lines above)"
fi
if grep -nE 'pkgConfig|systemLibrary' Package.swift; then fail "Package.swift uses pkg-config or a system-library target"; fi

mkdir -p "$work/empty-pkgconfig" "$work/bin"
cat > "$work/bin/pkg-config" <<SHIM
#!/bin/sh
echo "pkg-config \$*" >> "$work/pkg-config-calls"
exit 1
SHIM
chmod +x "$work/bin/pkg-config"
export PATH="$work/bin:$PATH"
export PKG_CONFIG_PATH="$work/empty-pkgconfig"
export PKG_CONFIG_LIBDIR="$work/empty-pkgconfig"
scratch=".build/no-openssl-dev"
rm -rf "$scratch"

echo "== 2. clean swift build (PKG_CONFIG_PATH=$PKG_CONFIG_PATH, pkg-config shimmed to fail)"
swift build --scratch-path "$scratch" -v > "$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; fail "swift build failed"; }
tail -n 1 "$work/build.log"
if [ -s "$work/pkg-config-calls" ]; then cat "$work/pkg-config-calls"; fail "the build called pkg-config"; fi

echo "== 3. no OpenSSL header read, libcrypto linked by soname"
if grep -rlE '/include/openssl/[A-Za-z0-9_]+\.h' "$scratch" 2>/dev/null | head -n 5 | grep .; then
  fail "the build read an OpenSSL header (files above mention include/openssl/*.h)"
fi
grep -q -- '-l:libcrypto.so.3' "$work/build.log" || fail "the link line does not name -l:libcrypto.so.3"
if grep -qE -- '(^|[[:space:]])-lcrypto([[:space:]]|$)' "$work/build.log"; then fail "the link line uses -lcrypto (needs libssl-dev's symlink)"; fi
binary="$scratch/debug/dspec"
if command -v readelf >/dev/null; then
  readelf -d "$binary" | grep -q 'NEEDED.*\[libcrypto.so.3\]' || fail "$binary does not load libcrypto.so.3"
fi
echo "ok: no pkg-config call, no OpenSSL header, -l:libcrypto.so.3"

echo "== 4. quick start and tests"
swift run --scratch-path "$scratch" dspec lint specs/examples
log="$scratch/swift-test.log"  # kept for reading after a failure
swift test --scratch-path "$scratch" --disable-swift-testing > "$log" 2>&1 && status=0 || status=$?
totals=$(scripts/xctest-totals.sh "$log") || { tail -n 40 "$log"; fail "swift test printed no summary (exit $status); log: $log"; }
if [ "$status" != 0 ]; then
  grep -E -A3 "error:|' failed \(" "$log" | tail -n 40
  echo "$totals"
  fail "swift test exited $status; full log: $log"
fi
echo "$totals"
if [ -s "$work/pkg-config-calls" ]; then cat "$work/pkg-config-calls"; fail "a later step called pkg-config"; fi
echo "ok: dspec builds, lints and passes its tests without OpenSSL development files or pkg-config"
