import DSRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fuzzing entry point for the socket client's response parser (see fuzz/README.md).
/// `package` access: only this package's `DSFuzz` target sees it; deliveries never call it.
package enum ResponseParserProbe {
    /// Reads responses to `method` requests from `bytes` as if a server had sent exactly those
    /// bytes and closed the connection: one result per response, until an error, a response
    /// that ends the connection, or the end of the input (at most 64 responses).
    package static func responses(_ bytes: [UInt8], method: String, limits: SocketResponseLimits) -> [Result<HTTPResponse, TransportError>] {
        var fds: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
        let type = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { return [] }
        close(fds[1])  // the "server" has sent everything and closed: reads past `bytes` see end of stream
        let connection = SocketConnection(fd: fds[0])
        defer { connection.close() }
        connection.input = bytes
        var results: [Result<HTTPResponse, TransportError>] = []
        while results.count < 64 {
            connection.receivedThisExchange = 0
            do {
                let exchange = try connection.readResponse(method: method, limits: limits, deadline: SocketDeadline(after: .seconds(5)))
                results.append(.success(exchange.response))
                if !exchange.keepAlive || connection.readIndex >= connection.input.count { break }
            } catch {
                results.append(.failure(error))
                break
            }
        }
        return results
    }
}
