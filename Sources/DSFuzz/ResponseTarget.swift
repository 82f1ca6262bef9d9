import DSRuntime
import DSRuntimePOSIX

/// Input: a method byte, then the bytes a server sends before closing the connection.
enum ResponseTarget {
    static let limits = SocketResponseLimits(maxHeaderBytes: 4096, maxBodyBytes: 65536)
    static let methods = ["GET", "POST", "HEAD", "PUT"]

    static func run(_ data: [UInt8], _ violations: inout [String]) {
        guard let first = data.first else { return }
        let method = methods[Int(first) % methods.count]
        for result in ResponseParserProbe.responses(Array(data.dropFirst()), method: method, limits: limits) {
            guard case .success(let response) = result else { continue }
            if !(200...999).contains(response.status) { violations.append("a final response with status \(response.status)") }
            if response.body.count > limits.maxBodyBytes { violations.append("a body over the limit (\(response.body.count) bytes)") }
            if method == "HEAD", !response.body.isEmpty { violations.append("a HEAD response with a body") }
            _ = response.header("Retry-After")
        }
    }
}
