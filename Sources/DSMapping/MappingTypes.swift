import DSJSON
import DSTemplate

/// A problem with a mapping: a static error in the mapping JSON (unknown directive, bad
/// path, mixed directives and fields) or a value that cannot be coerced at evaluation time.
public struct MappingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in one line.
    public var message: String
    /// RFC 6901 pointer into the mapping JSON of the offending node or member.
    public var pointer: String

    /// Creates an error.
    public init(message: String, pointer: String) {
        self.message = message
        self.pointer = pointer
    }

    /// The message (which already names the pointer for static and coercion errors).
    public var description: String { message }
}

/// One variable read by a mapping, for static analysis.
public struct MappingReference: Hashable, Sendable {
    public static func == (a: Self, b: Self) -> Bool {
        a.segments == b.segments && a.isData == b.isData && a.isRelative == b.isRelative && a.pointer == b.pointer
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(segments)
        hasher.combine(isData)
        hasher.combine(isRelative)
        hasher.combine(pointer)
    }

    /// Path segments; data paths include the data name first (`@settings.region` gives
    /// `["settings", "region"]`), `@root.x` gives the event path `["x"]`.
    public var segments: [String]
    /// True for `@` data variables.
    public var isData: Bool
    /// True if read relative to an `@each` element rather than the event root.
    public var isRelative: Bool
    /// Pointer into the mapping JSON of the string that reads it (the `@path` value, the
    /// `@each` value, a condition's `path`, or the template string).
    public var pointer: String {
        get { location.string }
        set { location = MappingPointer(newValue) }
    }
    /// The pointer, formed as text only when read.
    public var location: MappingPointer

    /// Creates a reference.
    public init(segments: [String], isData: Bool, isRelative: Bool, pointer: String) {
        self.init(segments: segments, isData: isData, isRelative: isRelative, location: MappingPointer(pointer))
    }

    /// Creates a reference with a lazily formed pointer.
    public init(segments: [String], isData: Bool, isRelative: Bool, location: MappingPointer) {
        self.segments = segments
        self.isData = isData
        self.isRelative = isRelative
        self.location = location
    }
}

/// A value transform (`@transform`), applied in the order listed.
enum Transform: String, CaseIterable, Sendable {
    case trim, lowercase, uppercase, sha256, sha1, base64, urlencode, digits
    case unix_seconds, unix_ms, iso8601, datetime_utc
    case string, number, integer, boolean
}

/// A target type (`@type`), applied last.
enum ValueType: String, CaseIterable, Sendable {
    case string, number, integer, boolean, object, array
}

/// A `@when` condition; every operator present must hold.
struct Condition: Sendable {
    var path: TemplatePath
    var equals: JSONValue?
    var notEquals: JSONValue?
    var inList: [JSONValue]?
    var exists: Bool?
}

/// Where a directive's value comes from.
enum Source: Sendable {
    case path(TemplatePath)
    case value(JSONValue)
    case template(CompiledTemplate)
    case each(TemplatePath, MappingNode)
}

/// An object whose keys are all directives.
struct Directive: Sendable {
    /// The directive's pointer in the mapping's `MappingPointerTable`.
    var pointer: Int32
    var source: Source
    var defaultValue: JSONValue?
    var transforms: [Transform]
    var type: ValueType?
    var when: [Condition]
    var keepNull: Bool
    /// `@lookup`: the table the value is translated through (after transforms, before `@type`).
    var lookup: String?
    /// In a `@drop_empty` scope: an empty object or array result counts as missing.
    var dropEmpty: Bool
}

/// An output object with its node-level modifiers.
struct ObjectNode: Sendable {
    var members: [(key: String, node: MappingNode)]
    /// `@when`: the object is emitted only if every condition holds.
    var when: [Condition]
    /// In a `@drop_empty` scope: members that are empty objects or arrays are omitted, and the
    /// object itself is missing when it ends up empty.
    var dropEmpty: Bool
}

/// A compiled mapping node.
indirect enum MappingNode: Sendable {
    case constant(JSONValue)
    case template(CompiledTemplate, pointer: Int32, dropEmpty: Bool)
    /// The flag: in a `@drop_empty` scope (empty elements dropped, an empty array is missing).
    case array([MappingNode], dropEmpty: Bool)
    case object(ObjectNode)
    case directive(Directive)
}

/// One lookup table a mapping uses: `@lookup`, or `lookup_table` in one of its templates.
public struct MappingTableUse: Hashable, Sendable {
    /// The table named.
    public var name: String
    /// Pointer into the mapping JSON of the `@lookup` value or the template string.
    public var pointer: String
    /// For a template: UTF-8 offset and length of the name literal in the string.
    public var offset: Int?
    public var length: Int

    /// Creates a use.
    public init(name: String, pointer: String, offset: Int? = nil, length: Int = 0) {
        self.name = name
        self.pointer = pointer
        self.offset = offset
        self.length = length
    }
}
