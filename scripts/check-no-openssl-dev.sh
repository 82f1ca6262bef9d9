#!/usr/bin/env bash
# Proves issue 19: dspec builds, runs and passes its tests with nothing but Swift installed, i.e. without
# OpenSSL's development files (openssl/*.h and the libcrypto.so symlink, Debian package libssl-dev) and
# without pkg-config. Only the OpenSSL 3 runtime (libcrypto.so.3, package libssl3), which Swift's own
# dependencies bring, is used.
#
# Usage (from a scratch clone, never from a machine other people build on when removing packages):
#   scripts/check-no-openssl-dev.sh                    # check without removing anything (see below)
#   scripts/check-no-openssl-dev.sh --remove-packages  # as root: apt-get remove libssl-dev pkg-config first
#
# Without --remove-packages it still shows that nothing OpenSSL-dev is used:
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
for arg in "$@"; do
  case "$arg" in
    --remove-packages) remove=1 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

fail() { echo "FAIL: $*" >&2; exit 1; }

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

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
swift test --scratch-path "$scratch" --disable-swift-testing > "$work/test.log" 2>&1 && status=0 || status=$?
grep -E "Executed [0-9]+ tests" "$work/test.log" | tail -n 1
[ "$status" = 0 ] || { grep -E "error:|failed" "$work/test.log" | tail -n 30; fail "swift test exited $status"; }
if [ -s "$work/pkg-config-calls" ]; then cat "$work/pkg-config-calls"; fail "a later step called pkg-config"; fi
echo "ok: dspec builds, lints and passes its tests without OpenSSL development files or pkg-config"
