/// Size and time limits the server enforces on every connection.
///
/// Each limit answers a specific hostile or broken client: an unbounded head or body would let
/// one connection exhaust memory, and a client that trickles bytes would hold a connection
/// forever. The defaults suit a conformance harness; tests shrink them to trigger the errors.
public struct MockLimits: Sendable, Equatable {
    /// Longest request line; longer gets `414 URI Too Long`.
    public var maxRequestLineBytes: Int
    /// Longest request head (request line plus header section, or a chunked body's trailer
    /// section); longer gets `431 Request Header Fields Too Large`.
    public var maxHeadBytes: Int
    /// Most header fields in one head; more gets `431`.
    public var maxHeaderCount: Int
    /// Largest body (after de-chunking); larger gets `413 Content Too Large`.
    public var maxBodyBytes: Int
    /// Longest chunk-size line, extensions included; longer gets `400`.
    public var maxChunkLineBytes: Int
    /// Time from a request's first byte until it is complete; a slower client gets
    /// `408 Request Timeout` and the connection is closed. This defeats slowloris-style clients
    /// that send one byte at a time, which a per-read timeout would not.
    public var readTimeoutMs: Int
    /// How long a keep-alive connection may sit idle between requests before it is closed.
    public var idleTimeoutMs: Int
    /// Time a new connection has to deliver a complete request head, counted from its
    /// accept (and, on a keep-alive connection, from the first byte of each later request).
    /// A connection that sends nothing is closed without a response; one that sent part of a
    /// head gets `408`. This is what frees the slots slowloris-style clients hold: opening
    /// connections and sending nothing (or a few bytes) costs them nothing, and without it
    /// they would be kept for `idleTimeoutMs`. Default 5000.
    public var headTimeoutMs: Int
    /// Most open connections. When all are taken, a new connection evicts the connection
    /// (on the loop it is handed to) that has gone longest without completing a request and
    /// is not answering one: a connection that never sent a request, an idle keep-alive
    /// connection, or one still sending its head. Only when there is none is the new
    /// connection closed at once. The bound is lowered to fit the process's file descriptor
    /// limit (`RLIMIT_NOFILE`), so `accept` never fails for lack of descriptors.
    public var maxConnections: Int

    /// Creates limits; every parameter has a default suited to tests against a real client
    /// (`headTimeoutMs` is 5000; set the property to change it).
    public init(maxRequestLineBytes: Int = 8192, maxHeadBytes: Int = 32768, maxHeaderCount: Int = 128,
                maxBodyBytes: Int = 16 * 1024 * 1024, maxChunkLineBytes: Int = 1024, readTimeoutMs: Int = 10_000,
                idleTimeoutMs: Int = 60_000, maxConnections: Int = 1024) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeadBytes = maxHeadBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
        self.readTimeoutMs = readTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.maxConnections = maxConnections
        self.headTimeoutMs = 5_000
    }
}
