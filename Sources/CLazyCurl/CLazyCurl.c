// libcurl on first use: see include/CLazyCurl.h. The 23 functions below are exactly the libcurl
// symbols Swift's static FoundationNetworking references (`nm -D dspec | grep curl` on a build
// that links -lcurl). A missing one fails the static link loudly; it never resolves silently.
#include "CLazyCurl.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIDDEN __attribute__((visibility("hidden")))

static void *curl_library;
static const char *load_error;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load_library(void) {
    curl_library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!curl_library) {
        /* dlerror's text lives in a per-thread buffer that the next dl call or the thread's
           end can reuse: keep a copy. */
        const char *why = dlerror();
        load_error = strdup(why ? why : "unknown error");
    }
}

int dspec_curl_load(void) {
    pthread_once(&load_once, load_library);
    return curl_library ? 0 : -1;
}

const char *dspec_curl_error(void) { return load_error; }

/// The address of a libcurl function. Without libcurl, https cannot work at all: FoundationNetworking
/// has no error path for a missing library, so the process ends with a clear message (before
/// this change such a process did not start at all).
static void *curl_function(const char *name) {
    if (dspec_curl_load() != 0) {
        fprintf(stderr, "dspec: https requests need libcurl (libcurl.so.4), which could not be loaded: %s\n",
                load_error ? load_error : "unknown error");
        exit(69);
    }
    void *f = dlsym(curl_library, name);
    if (!f) {
        fprintf(stderr, "dspec: the loaded libcurl.so.4 has no %s\n", name);
        exit(69);
    }
    return f;
}

// One forwarder per function; the address is looked up once (an atomic pointer, so threads
// calling at once at worst look it up twice).
#define FORWARD(ret, name, params, args)                                             \
    HIDDEN ret name params {                                                         \
        static ret(*fn) params;                                                      \
        ret(*f) params = __atomic_load_n(&fn, __ATOMIC_ACQUIRE);                     \
        if (!f) {                                                                    \
            f = (ret(*) params)curl_function(#name);                                 \
            __atomic_store_n(&fn, f, __ATOMIC_RELEASE);                              \
        }                                                                            \
        return f args;                                                               \
    }

#define FORWARD_VOID(name, params, args)                                             \
    HIDDEN void name params {                                                        \
        static void(*fn) params;                                                     \
        void(*f) params = __atomic_load_n(&fn, __ATOMIC_ACQUIRE);                    \
        if (!f) {                                                                    \
            f = (void(*) params)curl_function(#name);                                \
            __atomic_store_n(&fn, f, __ATOMIC_RELEASE);                              \
        }                                                                            \
        f args;                                                                      \
    }

// libcurl's types, as the ABI sees them: handles are pointers, the enums (CURLcode, CURLoption,
// CURLINFO, CURLMcode, CURLMoption, CURLUcode, CURLUPart, CURLversion) are int, curl_socket_t
// is int on Linux.
FORWARD(int, curl_global_init, (long flags), (flags))
FORWARD(void *, curl_easy_init, (void), ())
FORWARD_VOID(curl_easy_cleanup, (void *h), (h))
FORWARD(int, curl_easy_pause, (void *h, int bitmask), (h, bitmask))
FORWARD(const char *, curl_easy_strerror, (int code), (code))
FORWARD_VOID(curl_free, (void *p), (p))
FORWARD(void *, curl_multi_init, (void), ())
FORWARD(int, curl_multi_add_handle, (void *m, void *h), (m, h))
FORWARD(int, curl_multi_remove_handle, (void *m, void *h), (m, h))
FORWARD(int, curl_multi_assign, (void *m, int socket, void *p), (m, socket, p))
FORWARD(int, curl_multi_cleanup, (void *m), (m))
FORWARD(void *, curl_multi_info_read, (void *m, int *queued), (m, queued))
FORWARD(int, curl_multi_socket_action, (void *m, int socket, int mask, int *running), (m, socket, mask, running))
FORWARD(void *, curl_slist_append, (void *list, const char *s), (list, s))
FORWARD_VOID(curl_slist_free_all, (void *list), (list))
FORWARD(void *, curl_url, (void), ())
FORWARD(int, curl_url_get, (const void *u, int part, char **out, unsigned int flags), (u, part, out, flags))
FORWARD(int, curl_url_set, (void *u, int part, const char *in, unsigned int flags), (u, part, in, flags))
FORWARD(char *, curl_version, (void), ())
FORWARD(void *, curl_version_info, (int age), (age))

// The three variadic functions take exactly one argument after the option: a long, a
// curl_off_t, a data pointer or a function pointer, never a floating-point value. On the
// platforms Swift supports on Linux (x86-64 System V, AArch64) each is passed in one 64-bit
// integer register, so reading it as a pointer-sized value and passing that on hands libcurl
// the same register contents a direct call would have.
#define FORWARD_VARIADIC(name, first)                                                \
    HIDDEN int name(void *h, first option, ...) {                                    \
        static int (*fn)(void *, first, ...);                                        \
        int (*f)(void *, first, ...) = __atomic_load_n(&fn, __ATOMIC_ACQUIRE);       \
        if (!f) {                                                                    \
            f = (int (*)(void *, first, ...))curl_function(#name);                   \
            __atomic_store_n(&fn, f, __ATOMIC_RELEASE);                              \
        }                                                                            \
        va_list ap;                                                                  \
        va_start(ap, option);                                                        \
        void *value = va_arg(ap, void *);                                            \
        va_end(ap);                                                                  \
        return f(h, option, value);                                                  \
    }

FORWARD_VARIADIC(curl_easy_setopt, int)
FORWARD_VARIADIC(curl_easy_getinfo, int)
FORWARD_VARIADIC(curl_multi_setopt, int)

const char *dspec_curl_version_via_forwarder(void) { return curl_version(); }

void *dspec_curl_private_roundtrip_via_forwarder(void *value) {
    enum { CURLOPT_PRIVATE = 10000 + 103, CURLINFO_PRIVATE = 0x100000 + 21 };
    void *h = curl_easy_init();
    if (!h) return NULL;
    void *out = NULL;
    int set = curl_easy_setopt(h, CURLOPT_PRIVATE, value);
    int got = curl_easy_getinfo(h, CURLINFO_PRIVATE, &out);
    curl_easy_cleanup(h);
    return set == 0 && got == 0 ? out : NULL;
}
