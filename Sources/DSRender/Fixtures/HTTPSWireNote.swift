/// What goes on the wire over https beyond the rendered request, for the note line in
/// `.http` fixtures and `dspec deliver --dry-run` output.
///
/// `https://` requests are sent by `URLSessionTransport` (FoundationNetworking over the
/// system libcurl), which adds these headers when the request does not set them and sends
/// headers in its own order (FoundationNetworking keeps them in a dictionary). Measured by
/// `HTTPSWireCaptureTests` with a local TLS server recording the raw request bytes
/// (Debian 12, libcurl 7.88.1 with brotli and zstd, locale language `en`): the
/// `Accept-Encoding` list is libcurl's build-time decoders and `Accept-Language` the
/// process locale's language, so another libcurl or locale sends other values. Framing
/// (`Host`, `Content-Length`) is the transport's over http too and is not listed.
public enum HTTPSWireNote {
    /// The headers URLSession adds, with the values measured, in the order they are listed.
    public static let addedHeaders: [HTTPHeaderField] = [
        HTTPHeaderField(name: "Accept", value: "*/*"),
        HTTPHeaderField(name: "Accept-Encoding", value: "deflate, gzip, br, zstd"),
        HTTPHeaderField(name: "Accept-Language", value: "en"),
        HTTPHeaderField(name: "Connection", value: "keep-alive"),
    ]

    /// The headers of ``addedHeaders`` that `request` does not set itself (a rendered header
    /// of the same name replaces libcurl's).
    public static func added(to request: RenderedRequest) -> [HTTPHeaderField] {
        let names = Set(request.headers.map { $0.name.lowercased() })
        return addedHeaders.filter { !names.contains($0.name.lowercased()) }
    }

    /// The note line (without a newline) for `request`, or nil for a URL that is not https
    /// (http is sent by dspec's socket client exactly as rendered).
    public static func line(for request: RenderedRequest) -> String? {
        guard request.url.prefix(8).lowercased() == "https://" else { return nil }
        let added = added(to: request).map { "\($0.name): \($0.value)" }
        if added.isEmpty { return "# over https, URLSession does not keep header order" }
        return "# over https, URLSession adds " + added.joined(separator: "; ") + "; header order is not kept"
    }
}
