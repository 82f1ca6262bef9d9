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

/* One top-level member of an event line: key content (between the quotes) and value bytes. */
typedef struct {
    int32_t key_start;
    int32_t key_end;
    int32_t value_start;
    int32_t value_end;
    /* 1 when the value's bytes are its compact JSON writing (no whitespace, escape or 0xE2). */
    int32_t canonical;
} dspec_event_member;

/* The most top-level members (and members of any one object) dspec_event_line_scan takes. */
#define DSPEC_EVENT_LINE_MAX_MEMBERS 64
/* The deepest nesting it takes. */
#define DSPEC_EVENT_LINE_MAX_DEPTH 64

/*
 * The scan behind DSJSON's EventLine.scan (the Swift EventLineScanner is its reference and
 * the differential tests compare the two): checks that line[0..<n] is one JSON object
 * exactly as DSJSON's JSONParser checks it (syntax, escapes, surrogate pairs, UTF-8, depth,
 * duplicate keys) within a subset: every key at every depth plain ASCII without escapes, at
 * most DSPEC_EVENT_LINE_MAX_MEMBERS members per object, at most DSPEC_EVENT_LINE_MAX_DEPTH
 * levels. Writes the top-level members to `members` (room for DSPEC_EVENT_LINE_MAX_MEMBERS)
 * and returns their count, or -1 for anything outside the subset (the caller then parses
 * the line the general way). String runs are scanned 16 bytes at a time with SSE2.
 * n must be below INT32_MAX. Pure: no allocation, no global state; recursion at most
 * DSPEC_EVENT_LINE_MAX_DEPTH deep, about 600 bytes of stack per level.
 */
int dspec_event_line_scan(const uint8_t *line, size_t n, dspec_event_member *members);

#endif
