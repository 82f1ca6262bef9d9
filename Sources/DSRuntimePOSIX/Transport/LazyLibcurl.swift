import CLazyCurl

/// libcurl, which FoundationNetworking uses for `URLSessionTransport`, loaded on first use rather
/// than when the process starts (CLazyCurl; Package.swift disables the `-lcurl` autolink).
/// Commands that never send over URLSession (`lint`, `compile`, `render`, ...) never load it.
public enum LazyLibcurl {
    /// Loads libcurl.so.4 if needed; nil when it is available, else why it is not.
    @discardableResult
    public static func load() -> String? {
        if dspec_curl_load() == 0 { return nil }
        return dspec_curl_error().map { String(cString: $0) } ?? "libcurl.so.4 could not be loaded"
    }

    /// `curl_version()` called through CLazyCurl's forwarder (tests compare it with libcurl's own).
    public static var versionThroughForwarder: String? {
        dspec_curl_version_via_forwarder().map { String(cString: $0) }
    }

    /// Sets a pointer with the variadic `curl_easy_setopt` forwarder and reads it back with the
    /// variadic `curl_easy_getinfo` forwarder (tests: the forwarded argument arrives intact).
    public static func privateRoundTripThroughForwarders(_ value: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
        dspec_curl_private_roundtrip_via_forwarder(value)
    }
}
