import DSRuntime

/// A failure talking to Redis (connection, protocol or an error reply), one secret-free line.
public struct RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One blocking RESP2 connection to a Redis server over dspec's own socket code
/// (``SocketConnection``): a command is written whole and its reply parsed by the engine's
/// strict ``RESPParser``. Used by one thread at a time (the stream reader, the ledger's
/// writer thread, a rate-limit caller): not thread-safe by itself.
public final class RedisConnection: @unchecked Sendable {
    private let socket: SocketConnection
    private let parser: RESPParser
    /// Where this connection goes, for messages.
    public let address: String

    private init(socket: SocketConnection, parser: RESPParser, address: String) {
        self.socket = socket
        self.parser = parser
        self.address = address
    }

    /// Connects within `timeout`.
    public static func open(host: String, port: Int, timeout: Duration = .seconds(5), limits: RESPLimits = RESPLimits()) throws(RedisError) -> RedisConnection {
        let address = "\(host):\(port)"
        do {
            let s = try SocketConnection.open(host: host, port: port, deadline: SocketDeadline(after: timeout))
            return RedisConnection(socket: s, parser: RESPParser(limits: limits), address: address)
        } catch {
            throw RedisError("redis \(address): \(error.message)")
        }
    }

    /// Sends one command and returns its reply (an error reply is returned as `.error`, not thrown).
    public func call(_ parts: [String], timeout: Duration = .seconds(10)) throws(RedisError) -> RESPValue {
        try pipeline([parts], timeout: timeout)[0]
    }

    /// Sends `commands` in one write and reads one reply per command.
    public func pipeline(_ commands: [[String]], timeout: Duration = .seconds(10)) throws(RedisError) -> [RESPValue] {
        let deadline = SocketDeadline(after: timeout)
        var bytes: [UInt8] = []
        for c in commands { bytes += RESPEncoder.command(c) }
        do {
            try socket.writeAll(bytes, deadline: deadline)
            var replies: [RESPValue] = []
            while replies.count < commands.count {
                switch parser.parse(socket.input, from: socket.readIndex) {
                case .value(let v, let next):
                    socket.readIndex = next
                    replies.append(v)
                case .incomplete:
                    guard try socket.fill(deadline: deadline) else { throw RedisError("redis \(address): connection closed by the server") }
                case .invalid(let why):
                    socket.close()
                    throw RedisError("redis \(address): protocol error: \(why)")
                }
            }
            return replies
        } catch let e as RedisError {
            throw e
        } catch let e as TransportError {
            socket.close()
            throw RedisError("redis \(address): \(e.message)")
        } catch {
            socket.close()
            throw RedisError("redis \(address): \(error)")
        }
    }

    /// Closes the socket.
    public func close() { socket.close() }
}

extension RESPValue {
    /// The error message of an error reply.
    public var errorMessage: String? {
        if case .error(let m) = self { return m }
        return nil
    }
}
