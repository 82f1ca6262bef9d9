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
