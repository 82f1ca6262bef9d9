#!/usr/bin/env bash
# Maintainer check for Sources/CLibCrypto/include/CLibCrypto.h: compiles it in one translation unit with
# OpenSSL's own headers, so the compiler rejects any declaration whose signature differs ("conflicting
# types"), and compares the OSSL_PARAM layout field by field. Needs OpenSSL 3 development headers
# (libssl-dev), which building dspec does not; without them it says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
cc=$(command -v clang || command -v cc || true)
[ -n "$cc" ] || { echo "skipped: no C compiler"; exit 0; }
if ! printf '#include <openssl/evp.h>\n' | "$cc" -x c -fsyntax-only - 2>/dev/null; then
  echo "skipped: OpenSSL development headers (openssl/evp.h) are not installed"
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Our OSSL_PARAM gets another name so both definitions can be compared side by side.
sed -e 's/typedef struct ossl_param_st {/typedef struct dspec_param_check_st {/' \
    -e 's/^} OSSL_PARAM;/} dspec_param_check;/' \
    -e 's/struct SHAstate_st {/struct dspec_sha1_check_st {/' -e 's/^} SHA_CTX;/} dspec_sha1_check;/' \
    -e 's/struct SHA256state_st {/struct dspec_sha256_check_st {/' -e 's/^} SHA256_CTX;/} dspec_sha256_check;/' \
    -e 's/struct SHA512state_st {/struct dspec_sha512_check_st {/' -e 's/^} SHA512_CTX;/} dspec_sha512_check;/' \
    Sources/CLibCrypto/include/CLibCrypto.h > "$work/ours.h"
grep -q 'dspec_param_check;' "$work/ours.h" || { echo "FAIL: could not find the OSSL_PARAM definition"; exit 1; }
cat > "$work/check.c" <<'C'
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include "ours.h"
#include <stddef.h>
#define SAME(field) _Static_assert(offsetof(OSSL_PARAM, field) == offsetof(dspec_param_check, field) \
    && sizeof(((OSSL_PARAM *)0)->field) == sizeof(((dspec_param_check *)0)->field), "OSSL_PARAM." #field " differs");
SAME(key) SAME(data_type) SAME(data) SAME(data_size) SAME(return_size)
_Static_assert(sizeof(OSSL_PARAM) == sizeof(dspec_param_check), "OSSL_PARAM size differs");
#define SAMEOF(ours, theirs, field) _Static_assert(offsetof(theirs, field) == offsetof(ours, field), #theirs "." #field " differs");
SAMEOF(dspec_sha1_check, SHA_CTX, Nl) SAMEOF(dspec_sha1_check, SHA_CTX, data) SAMEOF(dspec_sha1_check, SHA_CTX, num)
SAMEOF(dspec_sha256_check, SHA256_CTX, Nl) SAMEOF(dspec_sha256_check, SHA256_CTX, data) SAMEOF(dspec_sha256_check, SHA256_CTX, md_len)
SAMEOF(dspec_sha512_check, SHA512_CTX, Nl) SAMEOF(dspec_sha512_check, SHA512_CTX, u) SAMEOF(dspec_sha512_check, SHA512_CTX, md_len)
_Static_assert(sizeof(SHA_CTX) == sizeof(dspec_sha1_check) && sizeof(SHA256_CTX) == sizeof(dspec_sha256_check)
               && sizeof(SHA512_CTX) == sizeof(dspec_sha512_check), "SHA context sizes differ");
_Static_assert(RSA_PKCS1_PADDING == 1, "RSA_PKCS1_PADDING");
_Static_assert(OPENSSL_VERSION == 0, "OPENSSL_VERSION");
_Static_assert(OPENSSL_VERSION_MAJOR == 3, "these headers are not OpenSSL 3");
int main(void) { return 0; }
C
"$cc" -std=c11 -Wall -Werror -fsyntax-only -I "$work" "$work/check.c"
echo "ok: every declaration in CLibCrypto.h matches OpenSSL $(printf '#include <openssl/opensslv.h>\nOPENSSL_FULL_VERSION_STR\n' | "$cc" -E -P -x c - | tail -n 1 | tr -d '"')'s headers"
