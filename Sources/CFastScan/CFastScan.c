#include "CFastScan.h"
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline int dspec_is_special(uint8_t b) {
    return b < 0x20 || b == 0x22 || b == 0x5C || b == 0xE2;
}

#if defined(__SSE2__)
/* One bit per lane that holds a special byte. */
static inline unsigned dspec_special_mask(__m128i x) {
    const __m128i quote = _mm_set1_epi8(0x22), backslash = _mm_set1_epi8(0x5C);
    const __m128i e2 = _mm_set1_epi8((char)0xE2), c1f = _mm_set1_epi8(0x1F);
    __m128i m = _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, e2));
    /* x <= 0x1F (unsigned) exactly when min(x, 0x1F) == x. */
    m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(x, c1f), x));
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

size_t dspec_json_copy_clean(uint8_t *dst, const uint8_t *src, size_t n) {
#if defined(__SSE2__)
    if (n >= 16) {
        size_t i = 0;
        /* Two blocks per step while there are: one branch per 32 clean bytes. */
        while (i + 32 <= n) {
            __m128i x = _mm_loadu_si128((const __m128i *)(src + i));
            __m128i y = _mm_loadu_si128((const __m128i *)(src + i + 16));
            _mm_storeu_si128((__m128i *)(dst + i), x);
            _mm_storeu_si128((__m128i *)(dst + i + 16), y);
            unsigned mask = dspec_special_mask(x) | (dspec_special_mask(y) << 16);
            if (mask) return i + (size_t)__builtin_ctz(mask);
            i += 32;
        }
        while (i + 16 <= n) {
            __m128i x = _mm_loadu_si128((const __m128i *)(src + i));
            _mm_storeu_si128((__m128i *)(dst + i), x);
            unsigned mask = dspec_special_mask(x);
            if (mask) return i + (size_t)__builtin_ctz(mask);
            i += 16;
        }
        if (i == n) return n;
        /* The tail: one overlapping block ending at n; lanes before i were checked already. */
        size_t s = n - 16;
        __m128i x = _mm_loadu_si128((const __m128i *)(src + s));
        _mm_storeu_si128((__m128i *)(dst + s), x);
        unsigned mask = dspec_special_mask(x) & (~0u << (i - s));
        return mask ? s + (size_t)__builtin_ctz(mask) : n;
    }
    if (n >= 8) {
        /* Bytes 0..7 in the low lanes, bytes n-8..n-1 in the high lanes (overlapping). A
           high lane that repeats a low one holds the same byte, so the lowest flag is exact. */
        uint64_t a, b;
        memcpy(&a, src, 8);
        memcpy(&b, src + n - 8, 8);
        memcpy(dst, &a, 8);
        memcpy(dst + n - 8, &b, 8);
        __m128i x = _mm_unpacklo_epi64(_mm_cvtsi64_si128((long long)a), _mm_cvtsi64_si128((long long)b));
        unsigned mask = dspec_special_mask(x);
        if (!mask) return n;
        unsigned lane = (unsigned)__builtin_ctz(mask);
        return lane < 8 ? lane : n - 16 + lane;
    }
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, src, 4);
        memcpy(&b, src + n - 4, 4);
        memcpy(dst, &a, 4);
        memcpy(dst + n - 4, &b, 4);
        /* Only the low 8 lanes are loaded; the zero lanes above must not count as controls. */
        __m128i x = _mm_cvtsi64_si128((long long)((uint64_t)a | ((uint64_t)b << 32)));
        unsigned mask = dspec_special_mask(x) & 0xFFu;
        if (!mask) return n;
        unsigned lane = (unsigned)__builtin_ctz(mask);
        return lane < 4 ? lane : n - 8 + lane;
    }
#endif
    size_t i = 0;
    for (; i < n; i++) {
        if (dspec_is_special(src[i])) return i;
        dst[i] = src[i];
    }
    return n;
}

/* ---- Event line scan (DSJSON EventLine) ---------------------------------------------- */

typedef struct {
    const uint8_t *b;
    size_t n;
    size_t i;
    int depth;
} dspec_els;

/* Skips JSON whitespace; returns 1 if any was skipped. */
static inline int els_ws(dspec_els *s) {
    size_t i = s->i;
    while (i < s->n) {
        uint8_t c = s->b[i];
        if (c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D) i++;
        else break;
    }
    int skipped = i != s->i;
    s->i = i;
    return skipped;
}

static inline int els_hex4(const dspec_els *s, size_t at, uint32_t *out) {
    if (at + 4 > s->n) return 0;
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++) {
        uint8_t c = s->b[at + k];
        uint32_t d;
        if (c >= 0x30 && c <= 0x39) d = (uint32_t)(c - 0x30);
        else if (c >= 0x41 && c <= 0x46) d = (uint32_t)(c - 0x41 + 10);
        else if (c >= 0x61 && c <= 0x66) d = (uint32_t)(c - 0x61 + 10);
        else return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

/* Index of the first byte at or after i that is '"', '\\', below 0x20 or at least 0x80 (n if none). */
static inline size_t els_plain_run_end(const uint8_t *b, size_t i, size_t n) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8(0x22), backslash = _mm_set1_epi8(0x5C), c1f = _mm_set1_epi8(0x1F);
    while (i + 16 <= n) {
        __m128i x = _mm_loadu_si128((const __m128i *)(b + i));
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(x, c1f), x));
        /* Bytes >= 0x80 have their top bit set: movemask of x itself. */
        unsigned mask = (unsigned)_mm_movemask_epi8(m) | (unsigned)_mm_movemask_epi8(x);
        if (mask) return i + (size_t)__builtin_ctz(mask);
        i += 16;
    }
#endif
    while (i < n) {
        uint8_t c = b[i];
        if (c == 0x22 || c == 0x5C || c < 0x20 || c >= 0x80) return i;
        i++;
    }
    return n;
}

/* One UTF-8 sequence at i (lead byte >= 0x80), as DSJSON's firstInvalidUTF8 decides:
   returns its length, or 0 when invalid. */
static inline size_t els_utf8(const uint8_t *b, size_t i, size_t n) {
    uint8_t b0 = b[i];
    size_t need;
    uint32_t scalar, min;
    if (b0 >= 0xC2 && b0 <= 0xDF) { need = 1; scalar = b0 & 0x1F; min = 0x80; }
    else if (b0 >= 0xE0 && b0 <= 0xEF) { need = 2; scalar = b0 & 0x0F; min = 0x800; }
    else if (b0 >= 0xF0 && b0 <= 0xF4) { need = 3; scalar = b0 & 0x07; min = 0x10000; }
    else return 0;
    if (i + need >= n) return 0;
    for (size_t k = 1; k <= need; k++) {
        uint8_t c = b[i + k];
        if ((c & 0xC0) != 0x80) return 0;
        scalar = scalar << 6 | (uint32_t)(c & 0x3F);
    }
    if (scalar < min || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF)) return 0;
    return need + 1;
}

/* A string token at its opening quote. Keys: ASCII, no escapes. */
static int els_string(dspec_els *s, int *canonical, int is_key) {
    const uint8_t *b = s->b;
    size_t n = s->n, i = s->i + 1;
    for (;;) {
        i = els_plain_run_end(b, i, n);
        if (i >= n) return 0;
        uint8_t c = b[i];
        if (c == 0x22) { s->i = i + 1; return 1; }
        if (c < 0x20) return 0;
        if (c >= 0x80) {
            if (is_key) return 0;
            /* The sequence must end before the closing quote; a quote is no continuation
               byte, so checking against the line's end is the same. */
            size_t len = els_utf8(b, i, n);
            if (len == 0) return 0;
            if (c == 0xE2) *canonical = 0;
            i += len;
            continue;
        }
        /* A backslash. */
        if (is_key) return 0;
        *canonical = 0;
        i++;
        if (i >= n) return 0;
        switch (b[i]) {
        case 0x22: case 0x5C: case 0x2F: case 0x62: case 0x66: case 0x6E: case 0x72: case 0x74:
            i++;
            break;
        case 0x75: {
            uint32_t v, low;
            if (!els_hex4(s, i + 1, &v)) return 0;
            i += 5;
            if (v >= 0xD800 && v <= 0xDBFF) {
                if (!(i + 1 < n && b[i] == 0x5C && b[i + 1] == 0x75 && els_hex4(s, i + 2, &low) && low >= 0xDC00 && low <= 0xDFFF)) return 0;
                i += 6;
            } else if (v >= 0xDC00 && v <= 0xDFFF) {
                return 0;
            }
            break;
        }
        default:
            return 0;
        }
    }
}

static inline int els_digit(uint8_t c) { return c >= 0x30 && c <= 0x39; }

static int els_number(dspec_els *s) {
    const uint8_t *b = s->b;
    size_t n = s->n, i = s->i;
    if (b[i] == 0x2D) i++;
    if (!(i < n && els_digit(b[i]))) return 0;
    if (b[i] == 0x30) {
        i++;
        if (i < n && els_digit(b[i])) return 0;
    } else {
        while (i < n && els_digit(b[i])) i++;
    }
    if (i < n && b[i] == 0x2E) {
        i++;
        if (!(i < n && els_digit(b[i]))) return 0;
        while (i < n && els_digit(b[i])) i++;
    }
    if (i < n && (b[i] == 0x65 || b[i] == 0x45)) {
        i++;
        if (i < n && (b[i] == 0x2B || b[i] == 0x2D)) i++;
        if (!(i < n && els_digit(b[i]))) return 0;
        while (i < n && els_digit(b[i])) i++;
    }
    s->i = i;
    return 1;
}

static int els_object(dspec_els *s, int *canonical, dspec_event_member *top, int *top_count);
static int els_array(dspec_els *s, int *canonical);

static int els_value(dspec_els *s, int *canonical) {
    if (s->i >= s->n) return 0;
    const uint8_t *b = s->b + s->i;
    size_t left = s->n - s->i;
    switch (*b) {
    case 0x7B: return els_object(s, canonical, NULL, NULL);
    case 0x5B: return els_array(s, canonical);
    case 0x22: return els_string(s, canonical, 0);
    case 0x74:
        if (left >= 4 && b[1] == 0x72 && b[2] == 0x75 && b[3] == 0x65) { s->i += 4; return 1; }
        return 0;
    case 0x66:
        if (left >= 5 && b[1] == 0x61 && b[2] == 0x6C && b[3] == 0x73 && b[4] == 0x65) { s->i += 5; return 1; }
        return 0;
    case 0x6E:
        if (left >= 4 && b[1] == 0x75 && b[2] == 0x6C && b[3] == 0x6C) { s->i += 4; return 1; }
        return 0;
    default:
        if (*b == 0x2D || els_digit(*b)) return els_number(s);
        return 0;
    }
}

static int els_array(dspec_els *s, int *canonical) {
    if (++s->depth > DSPEC_EVENT_LINE_MAX_DEPTH) return 0;
    s->i++;
    if (els_ws(s)) *canonical = 0;
    if (s->i < s->n && s->b[s->i] == 0x5D) { s->i++; s->depth--; return 1; }
    for (;;) {
        if (els_ws(s)) *canonical = 0;
        if (!els_value(s, canonical)) return 0;
        if (els_ws(s)) *canonical = 0;
        if (s->i >= s->n) return 0;
        uint8_t c = s->b[s->i];
        if (c == 0x2C) { s->i++; continue; }
        if (c == 0x5D) { s->i++; s->depth--; return 1; }
        return 0;
    }
}

/* An object; at the top level (top non-NULL) its members are recorded. */
static int els_object(dspec_els *s, int *canonical, dspec_event_member *top, int *top_count) {
    if (++s->depth > DSPEC_EVENT_LINE_MAX_DEPTH) return 0;
    /* This object's keys (start, end), for the duplicate check: ASCII without escapes, so
       equal bytes are equal strings. */
    int32_t keys[2 * DSPEC_EVENT_LINE_MAX_MEMBERS];
    int count = 0;
    const uint8_t *b = s->b;
    s->i++;
    if (els_ws(s)) *canonical = 0;
    if (s->i < s->n && b[s->i] == 0x7D) { s->i++; s->depth--; return 1; }
    for (;;) {
        if (els_ws(s)) *canonical = 0;
        if (!(s->i < s->n && b[s->i] == 0x22)) return 0;
        int32_t key_start = (int32_t)(s->i + 1);
        int ignored = 1;
        if (!els_string(s, &ignored, 1)) return 0;
        int32_t key_end = (int32_t)(s->i - 1);
        int32_t length = key_end - key_start;
        for (int k = 0; k < count; k++) {
            if (keys[2 * k + 1] - keys[2 * k] == length && memcmp(b + keys[2 * k], b + key_start, (size_t)length) == 0) return 0;
        }
        if (count >= DSPEC_EVENT_LINE_MAX_MEMBERS) return 0;
        keys[2 * count] = key_start;
        keys[2 * count + 1] = key_end;
        count++;
        if (els_ws(s)) *canonical = 0;
        if (!(s->i < s->n && b[s->i] == 0x3A)) return 0;
        s->i++;
        if (els_ws(s)) *canonical = 0;
        int32_t value_start = (int32_t)s->i;
        int value_canonical = 1;
        if (!els_value(s, &value_canonical)) return 0;
        if (!value_canonical) *canonical = 0;
        if (top) {
            dspec_event_member *m = &top[*top_count];
            m->key_start = key_start;
            m->key_end = key_end;
            m->value_start = value_start;
            m->value_end = (int32_t)s->i;
            m->canonical = value_canonical;
            (*top_count)++;
        }
        if (els_ws(s)) *canonical = 0;
        if (s->i >= s->n) return 0;
        uint8_t c = b[s->i];
        if (c == 0x2C) { s->i++; continue; }
        if (c == 0x7D) { s->i++; s->depth--; return 1; }
        return 0;
    }
}

int dspec_event_line_scan(const uint8_t *line, size_t n, dspec_event_member *members) {
    dspec_els s = { line, n, 0, 0 };
    els_ws(&s);
    if (!(s.i < n && line[s.i] == 0x7B)) return -1;
    int canonical = 1, count = 0;
    if (!els_object(&s, &canonical, members, &count)) return -1;
    els_ws(&s);
    return s.i == n ? count : -1;
}
