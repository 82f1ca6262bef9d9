import DSJSON
import DSRuntime
import Foundation

/// The user's secrets file (`--secrets S.json`, a JSON object of name -> value). An update
/// rewrites the whole file atomically: the new content goes to a temporary file in the same
/// directory (mode 0600, fsync'd), which is then renamed over the original, so a crash
/// leaves either the old file or the new one, never a torn one. Key order is kept. A
/// secrets path that is a symbolic link, a device or a FIFO is written in place instead,
/// never replaced (``OutputFile``).
public final class JSONFileSecretStore: SecretStore {
    /// The file.
    public let path: String
    private let object: Locked<JSONObject>

    /// Reads the file. Fails with a message naming the file (never its content).
    public init(path: String) throws(OAuthError) {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else { throw OAuthError("\(path): cannot read the secrets file") }
        guard case .object(let o)? = try? JSONParser().parseValue([UInt8](data)) else {
            throw OAuthError("\(path): the secrets file must be a JSON object")
        }
        object = Locked(o)
    }

    /// Every value, for rendering.
    public var values: JSONObject { object.withLock { $0 } }

    public func value(of name: String) -> String? { object.withLock { $0[name]?.stringValue } }

    public func update(_ name: String, to value: String) throws(OAuthError) {
        let bytes: [UInt8] = object.withLock { o in
            o[name] = .string(value)
            return JSONWriter.prettyBytes(.object(o), sortedExceptUnder: []) + [0x0A]
        }
        try Self.writeAtomically(bytes, to: path)
    }

    /// Writes `bytes` to `path` through ``OutputFile``: a regular file is replaced through
    /// a fsync'd temporary file (mode 0600) and a rename; a device, FIFO or symbolic link is
    /// written in place, never replaced.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(OAuthError) {
        do {
            try OutputFile.write(bytes, to: path, mode: 0o600, keepMode: false)
        } catch {
            throw OAuthError("\(path): secrets file: \(error.message.dropFirst(path.count + 2))")
        }
    }
}
