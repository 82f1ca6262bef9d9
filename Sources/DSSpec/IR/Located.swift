import DSCore
import DSJSON

/// A value read from the spec file together with where it was written, so validation
/// rules can point diagnostics at the exact token long after decoding.
public struct Located<Value: Sendable>: Sendable {
    /// The decoded value.
    public var value: Value
    /// Byte span of the JSON value in the spec file.
    public var span: SourceSpan
    /// RFC 6901 pointer of the value in the spec document.
    public var pointer: String

    /// Creates a located value.
    public init(_ value: Value, span: SourceSpan, pointer: String) {
        self.value = value
        self.span = span
        self.pointer = pointer
    }
}

extension Located: Equatable where Value: Equatable {}

/// A template string as written in the spec. `rawSpan` covers the JSON string token
/// including its quotes, so a position inside the decoded template can be mapped back
/// to a line and column of the spec file (see `SpecSourceMap`).
public typealias TemplateText = Located<String>

extension Located {
    /// The same location without the value, for reporting at any located field.
    public var anchor: Located<Void> { Located<Void>((), span: span, pointer: pointer) }
}
