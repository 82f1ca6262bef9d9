#ifndef CLAZYCURL_H
#define CLAZYCURL_H

/// libcurl loaded on first use instead of at process start.
///
/// Swift's static Foundation links FoundationNetworking, which calls 23 libcurl functions; linked
/// normally, every `dspec` process loads libcurl.so.4 and the 27 libraries it needs (TLS, Kerberos,
/// LDAP, ...) before main, about 3 ms of wall time and 14 M instructions, even for `dspec lint`.
/// CLazyCurl.c defines those 23 functions (hidden: they satisfy the static link only) as
/// forwarders that dlopen libcurl.so.4 the first time one is called, and Package.swift stops the
/// compiler from autolinking `-lcurl`. A dynamically linked Foundation keeps its own reference
/// to libcurl; the forwarders are then unused.

/// Loads libcurl.so.4 if it is not loaded yet. Returns 0 when it is available, -1 otherwise
/// (then `dspec_curl_error()` says why).
int dspec_curl_load(void);

/// Why libcurl could not be loaded (NULL when it was, or was not tried).
const char *dspec_curl_error(void);

/// `curl_version()` called through the forwarders (for tests).
const char *dspec_curl_version_via_forwarder(void);

/// Sets CURLOPT_PRIVATE to `value` on a fresh easy handle and reads it back with
/// CURLINFO_PRIVATE, both through the variadic forwarders; returns what was read (for tests).
void *dspec_curl_private_roundtrip_via_forwarder(void *value);

#endif
