/*
 * CFastScan: byte scans for the template renderer's hot path, vectorised with SSE2 where the
 * compiler targets it (every x86_64), plain C elsewhere. Swift's generic SIMD compares were
 * measured ~10x slower than this, so the one loop that runs over every byte a JSON template
 * writes as string content lives here. Pure functions: no allocation, no global state.
 */
#ifndef DSPEC_CFASTSCAN_H
#define DSPEC_CFASTSCAN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Copies src[0..<n] to dst up to the first byte that may need escaping in a JSON string
 * (a C0 control byte, '"', '\\', or 0xE2, the lead byte of U+2028 / U+2029) and returns how
 * many bytes that is (n if none). The first returned bytes of dst then equal src's; dst must
 * have room for n bytes, and bytes of dst after the returned count (below n) may have been
 * written too (the caller overwrites them). src and dst must not overlap.
 */
size_t dspec_json_copy_clean(uint8_t *dst, const uint8_t *src, size_t n);

#endif
