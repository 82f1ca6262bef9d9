import DSCore
import DSJSON

/// A value read from the spec file together with where it was written, so validation
/// rules can point diagnostics at the exact token long after decoding.
public struct Located<Value: Sendable>: Sendable {
    /// The decoded value.
    public var value: Value
    /// Byte span of the JSON value in the spec file.
    public var span: SourceSpan
    /// RFC 6901 pointer of the value in the spec document, formed as text only when read.
    public var location: SpecPointer

    /// RFC 6901 pointer of the value in the spec document.
    public var pointer: String {
        get { location.string }
        set { location = SpecPointer(newValue) }
    }

    /// Creates a located value.
    public init(_ value: Value, span: SourceSpan, pointer: String) {
        self.value = value
        self.span = span
        self.location = SpecPointer(pointer)
    }

    /// Creates a located value whose pointer text is formed when it is read.
    public init(_ value: Value, span: SourceSpan, at location: SpecPointer) {
        self.value = value
        self.span = span
        self.location = location
    }
}

extension Located: Equatable where Value: Equatable {}

/// A template string as written in the spec. `rawSpan` covers the JSON string token
/// including its quotes, so a position inside the decoded template can be mapped back
/// to a line and column of the spec file (see `SpecSourceMap`).
public typealias TemplateText = Located<String>

extension Located {
    /// The same location without the value, for reporting at any located field.
    public var anchor: Located<Void> { Located<Void>((), span: span, at: location) }
}

extension Located {
    /// Creates a located value at a lazily formed pointer (the decoders' form).
    init(_ value: Value, span: SourceSpan, pointer location: SpecPointer) {
        self.init(value, span: span, at: location)
    }
}
