/// A runtime file (dead letters, checkpoint, input) that cannot be opened or written.
public struct RuntimeFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message, naming the file.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
