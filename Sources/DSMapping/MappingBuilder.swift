import DSCore
import DSJSON
import DSTemplate

/// Checks mapping JSON and builds the node tree, collecting every static problem (the
/// linter wants all of them, not the first) and every variable read.
struct MappingBuilder {
    var errors: [MappingError] = []
    var references: [MappingReference] = []
    /// Every node's pointer, as (parent, token) entries (see `MappingPointerTable`).
    var pointers = MappingPointerBuilder()
    /// Set when an object of a node input has a non-ASCII key: the caller compiles the value
    /// instead (see `MappingInputObject.asciiKeys`).
    var sawNonASCIIKey = false
    /// Options for the templates of the mapping (`.analysis` for callers that only analyse
    /// the mapping and evaluate it at most a few times, such as lint).
    var templateOptions = TemplateOptions()
    /// True: a directive's members are read in one pass over its keys (`DirectiveMembers`).
    /// False: each directive key is looked up where it is read, as before; kept as the
    /// reference the one-pass read is compared with (`MappingBuilderFastPathTests`).
    var onePassDirectives = true

    static let sources = ["@path", "@value", "@template", "@each"]

    private mutating func fail(_ message: String, _ at: Int32) {
        let pointer = pointers.string(at)
        errors.append(MappingError(message: "\(message) at \(pointer.isEmpty ? "/" : pointer)", pointer: pointer))
    }

    static func isDirectiveKey(_ key: String) -> Bool {
        // Most keys are output fields: a first byte that is ASCII and not `@` starts a first
        // character other than `@` (nothing composes into `@`), so neither prefix can match.
        guard let first = key.utf8.first else { return false }
        if first < 0x80, first != 0x40 { return false }
        var key = key
        // ASCII keys by bytes; for others `hasPrefix` (a combining mark can join the `@`).
        let ascii: Bool? = key.withUTF8 { b in
            for byte in b where byte >= 0x80 { return nil }
            return b.count >= 1 && b[0] == 0x40 && !(b.count >= 2 && b[1] == 0x40)
        }
        return ascii ?? (key.hasPrefix("@") && !key.hasPrefix("@@"))
    }

    /// `s.contains("{{")`: by bytes for ASCII text, through Foundation's search otherwise.
    static func hasOpenBraces(_ s: String) -> Bool {
        var s = s
        let ascii: Bool? = s.withUTF8 { b in
            for byte in b where byte >= 0x80 { return nil }
            var previousBrace = false
            for byte in b {
                if byte == 0x7B {
                    if previousBrace { return true }
                    previousBrace = true
                } else {
                    previousBrace = false
                }
            }
            return false
        }
        return ascii ?? s.contains("{{")
    }

    /// Lookup tables named by `@lookup`, with the pointer of each use, in document order.
    var lookups: [MappingTableUse] = []

    /// Keys that may sit beside output fields: they modify the object itself.
    static let objectModifiers = ["@when", "@drop_empty"]

    /// Builds a node. `dropEmpty` is the `@drop_empty` scope inherited from the enclosing
    /// nodes; `isRoot` is true for the mapping's root (which cannot be conditional).
    mutating func build<N: MappingInput>(_ value: N, _ pointer: Int32, inEach: Bool, dropEmpty: Bool = false, isRoot: Bool = false) -> MappingNode? {
        switch value.mappingKind {
        case .string(let s):
            guard Self.hasOpenBraces(s) else { return .constant(.string(s)) }
            guard let t = compileTemplate(s, pointer, inEach: inEach) else { return nil }
            return .template(t, pointer: pointer, dropEmpty: dropEmpty)
        case .null, .bool, .number:
            return .constant(value.jsonValue)
        case .array(let items):
            var nodes: [MappingNode] = []
            nodes.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                if let n = build(item, pointers.appending(pointer, i), inEach: inEach, dropEmpty: dropEmpty) { nodes.append(n) }
            }
            return .array(nodes, dropEmpty: dropEmpty)
        case .object(let object):
            if !object.asciiKeys { sawNonASCIIKey = true }
            let (directiveKeys, fields) = Self.splitKeys(object.keys)
            if directiveKeys.isEmpty || (!fields.isEmpty && directiveKeys.allSatisfy(Self.objectModifiers.contains)) {
                return buildObject(object, fields: fields, pointer, inEach: inEach, dropEmpty: dropEmpty, isRoot: isRoot)
            }
            if !fields.isEmpty {
                let misplaced = directiveKeys.filter { !Self.objectModifiers.contains($0) }
                fail("object mixes directives and output fields (directives: \(misplaced.joined(separator: ", ")); fields: \(fields.joined(separator: ", "))); "
                     + "only @when and @drop_empty may sit beside output fields: nest the fields in their own object, or write an output key starting with @ as @@name", pointer)
                return nil
            }
            if !directiveKeys.isEmpty, directiveKeys.allSatisfy(Self.objectModifiers.contains) {
                fail("an object with only \(directiveKeys.joined(separator: " and ")) has no output fields and no source; "
                     + "put the modifier beside the fields it governs, or give a directive a source (@path, @value, @template or @each)", pointer)
                return nil
            }
            return buildDirective(object, pointer, inEach: inEach, dropEmpty: dropEmpty, isRoot: isRoot)
        }
    }

    /// An object's keys split into directive keys and output fields, each in key order. When all
    /// keys are of one kind, that list is the key list itself (no copy); `MappingKeySplitTests`
    /// compares this with a plain filter of each kind.
    static func splitKeys(_ keys: [String]) -> (directiveKeys: [String], fields: [String]) {
        var count = 0
        for key in keys where isDirectiveKey(key) { count += 1 }
        if count == 0 { return ([], keys) }
        if count == keys.count { return (keys, []) }  // a directive: its keys, not a copy
        var directiveKeys: [String] = []
        var fields: [String] = []
        directiveKeys.reserveCapacity(count)
        fields.reserveCapacity(keys.count - count)
        for key in keys {
            if isDirectiveKey(key) { directiveKeys.append(key) } else { fields.append(key) }
        }
        return (directiveKeys, fields)
    }

    /// An output object, with its `@when` and `@drop_empty` modifiers.
    private mutating func buildObject<N: MappingInput>(_ object: MappingInputObject<N>, fields: [String], _ pointer: Int32, inEach: Bool, dropEmpty inherited: Bool, isRoot: Bool) -> MappingNode? {
        let errorCount = errors.count
        // Only @when and @drop_empty can be directive keys here.
        let noModifiers = onePassDirectives && fields.count == object.keys.count
        let when = noModifiers ? nil : object["@when"]
        let dropEmpty = (noModifiers ? nil : readDropEmpty(object["@drop_empty"], pointer)) ?? inherited
        let conditions = readWhen(when, pointer, inEach: inEach)
        if isRoot, when != nil {
            fail("@when on the mapping's root object: the root is always written; choose which events are delivered with \"events\", "
                 + "or put @when on a nested object", pointers.appending(pointer, "@when"))
        }
        var members: [(key: String, node: MappingNode)] = []
        members.reserveCapacity(fields.count)
        for key in fields {
            let outputKey = key.hasPrefix("@@") ? String(key.dropFirst()) : key
            if let n = build(object[key]!, pointers.appending(pointer, key), inEach: inEach, dropEmpty: dropEmpty) { members.append((outputKey, n)) }
        }
        guard errors.count == errorCount else { return nil }
        return .object(ObjectNode(members: members, when: conditions, dropEmpty: dropEmpty))
    }

    /// `@drop_empty` of an object or directive: true, false or absent (nil: inherited).
    private mutating func readDropEmpty<N: MappingInput>(_ member: N?, _ pointer: Int32) -> Bool? {
        guard let v = member else { return nil }
        if case .bool(let b) = v.mappingKind { return b }
        fail("@drop_empty must be true or false, not \(v.typeName)", pointers.appending(pointer, "@drop_empty"))
        return nil
    }

    /// The conditions of `@when` (empty when absent).
    private mutating func readWhen<N: MappingInput>(_ member: N?, _ pointer: Int32, inEach: Bool) -> [Condition] {
        var conditions: [Condition] = []
        guard let v = member else { return conditions }
        let at = pointers.appending(pointer, "@when")
        switch v.mappingKind {
        case .object: if let c = buildCondition(v, at, inEach: inEach) { conditions.append(c) }
        case .array(let items):
            for (i, item) in items.enumerated() {
                if let c = buildCondition(item, pointers.appending(at, i), inEach: inEach) { conditions.append(c) }
            }
        default: fail("@when must be a condition object or an array of them", at)
        }
        return conditions
    }

    private mutating func compileTemplate(_ s: String, _ pointer: Int32, inEach: Bool) -> CompiledTemplate? {
        do {
            let t = try CompiledTemplate.compile(s, mode: .plain, options: templateOptions)
            for use in t.lookupTables {
                lookups.append(MappingTableUse(name: use.name, pointer: pointers.string(pointer), offset: use.partial == nil ? use.offset : nil, length: use.length))
            }
            for r in t.references {
                let isRootPath = !r.isData && s.utf8.dropFirst(r.offset).starts(with: "@root".utf8)
                references.append(MappingReference(segments: r.segments, isData: r.isData,
                                                   isRelative: r.isRelative || (inEach && !r.isData && !isRootPath), location: MappingPointer(table: nil, index: pointer)))
            }
            return t
        } catch {
            fail("invalid template: \(error.message) (byte \(error.offset) of the string)", pointer)
            return nil
        }
    }

    private mutating func parsePath<N: MappingInput>(_ value: N, _ pointer: Int32, _ directive: String, inEach: Bool) -> TemplatePath? {
        guard case .string(let text) = value.mappingKind else {
            fail("\(directive) must be a string path such as \"properties.total\", not \(value.typeName)", pointer)
            return nil
        }
        do {
            let path = try TemplatePath.parse(text)
            if let name = path.dataName {
                references.append(MappingReference(segments: [name] + path.segments, isData: true,
                                                   isRelative: ["index", "key", "first", "last"].contains(name), location: MappingPointer(table: nil, index: pointer)))
            } else {
                references.append(MappingReference(segments: path.segments, isData: false, isRelative: inEach && !path.isRoot, location: MappingPointer(table: nil, index: pointer)))
            }
            return path
        } catch {
            fail("invalid path \(text.debugDescription) in \(directive): \(error.message)", pointer)
            return nil
        }
    }

    private mutating func buildDirective<N: MappingInput>(_ object: MappingInputObject<N>, _ pointer: Int32, inEach: Bool, dropEmpty inherited: Bool, isRoot: Bool = false) -> MappingNode? {
        let errorCount = errors.count
        func at(_ key: String) -> Int32 { pointers.appending(pointer, key) }
        var d = DirectiveMembers<N>()
        for key in object.keys {
            if onePassDirectives, d.take(key, object) { continue }
            if CompiledMapping.directiveNames.contains(key) { continue }
            var message = "unknown directive '\(key)'"
            if let s = Suggestions.closest(to: key, in: CompiledMapping.directiveNames) { message += "; did you mean '\(s)'?" }
            fail(message, at(key))
        }
        if !onePassDirectives { d = DirectiveMembers(lookingUpIn: object) }
        // The sources are counted; their list is formed only for the message.
        let sourceCount = (d.path != nil ? 1 : 0) + (d.value != nil ? 1 : 0) + (d.template != nil ? 1 : 0) + (d.each != nil ? 1 : 0)
        if sourceCount == 0 {
            fail("a directive needs exactly one source: @path, @value, @template or @each", pointer)
        } else if sourceCount > 1 {
            var present: [String] = []
            if d.path != nil { present.append("@path") }
            if d.value != nil { present.append("@value") }
            if d.template != nil { present.append("@template") }
            if d.each != nil { present.append("@each") }
            fail("a directive has more than one source (\(present.joined(separator: ", "))); use exactly one", pointer)
        }
        let dropEmpty = readDropEmpty(d.dropEmpty, pointer) ?? inherited
        if d.map != nil, d.each == nil { fail("@map is only meaningful with @each", at("@map")) }
        if d.each != nil, d.map == nil { fail("@each needs @map: the mapping applied to each element", at("@each")) }

        var source: Source?
        if let v = d.path, let p = parsePath(v, at("@path"), "@path", inEach: inEach) { source = .path(p) }
        if let v = d.value { source = .value(v.jsonValue) }
        if let v = d.template {
            if case .string(let s) = v.mappingKind {
                if let t = compileTemplate(s, at("@template"), inEach: inEach) { source = .template(t) }
            } else {
                fail("@template must be a string, not \(v.typeName)", at("@template"))
            }
        }
        if let v = d.each, let p = parsePath(v, at("@each"), "@each", inEach: inEach) {
            if let m = d.map, let node = build(m, at("@map"), inEach: true, dropEmpty: dropEmpty) { source = .each(p, node) }
        } else if let m = d.map, d.each == nil {
            _ = build(m, at("@map"), inEach: true, dropEmpty: dropEmpty)
        }

        var transforms: [Transform] = []
        if let v = d.transform {
            var names: [(String, Int32)] = []
            switch v.mappingKind {
            case .string(let s): names = [(s, at("@transform"))]
            case .array(let items):
                for (i, item) in items.enumerated() {
                    if case .string(let s) = item.mappingKind { names.append((s, pointers.appending(at("@transform"), i))) }
                    else { fail("@transform entries must be transform names, not \(item.typeName)", pointers.appending(at("@transform"), i)) }
                }
            default: fail("@transform must be a name or an array of names, not \(v.typeName)", at("@transform"))
            }
            for (name, p) in names {
                if let t = Transform(rawValue: name) { transforms.append(t) } else {
                    var message = "unknown transform '\(name)'"
                    if let s = Suggestions.closest(to: name, in: CompiledMapping.transformNames) { message += "; did you mean '\(s)'?" }
                    fail(message, p)
                }
            }
        }
        var type: ValueType?
        if let v = d.type {
            if case .string(let s) = v.mappingKind, let t = ValueType(rawValue: s) { type = t } else {
                var message = "@type must be one of \(ValueType.allCases.map(\.rawValue).joined(separator: ", "))"
                if case .string(let s) = v.mappingKind, let sug = Suggestions.closest(to: s, in: ValueType.allCases.map(\.rawValue)) { message += "; did you mean '\(sug)'?" }
                fail(message, at("@type"))
            }
        }
        var keepNull = false
        if let v = d.keepNull {
            if case .bool(let b) = v.mappingKind { keepNull = b } else { fail("@keep_null must be true or false", at("@keep_null")) }
        }
        let conditions = readWhen(d.when, pointer, inEach: inEach)
        var lookup: String?
        if let v = d.lookup {
            if case .string(let name) = v.mappingKind, !name.isEmpty {
                lookup = name
                let use = at("@lookup")
                lookups.append(MappingTableUse(name: name, pointer: pointers.string(use)))
            } else {
                fail("@lookup must be the name of a table declared under \"lookups\", not \(v.typeName)", at("@lookup"))
            }
        }
        guard errors.count == errorCount, let source else { return nil }
        return .directive(Directive(pointer: pointer, source: source, defaultValue: d.defaultValue?.jsonValue, transforms: transforms,
                                    type: type, when: conditions, keepNull: keepNull, lookup: lookup,
                                    // The root is always written: an empty root value stays as it is.
                                    dropEmpty: dropEmpty && !isRoot))
    }

    static let conditionKeys = ["path", "equals", "not_equals", "in", "exists"]

    private mutating func buildCondition<N: MappingInput>(_ value: N, _ pointer: Int32, inEach: Bool) -> Condition? {
        guard case .object(let o) = value.mappingKind else {
            fail("a @when condition must be an object like {\"path\": \"type\", \"equals\": \"page\"}", pointer)
            return nil
        }
        if !o.asciiKeys { sawNonASCIIKey = true }
        let errorCount = errors.count
        for key in o.keys where !Self.conditionKeys.contains(key) {
            var message = "unknown condition key '\(key)'"
            if let s = Suggestions.closest(to: key, in: Self.conditionKeys) { message += "; did you mean '\(s)'?" }
            fail(message, pointers.appending(pointer, key))
        }
        var path: TemplatePath?
        if let p = o["path"] {
            path = parsePath(p, pointers.appending(pointer, "path"), "a condition path", inEach: inEach)
        } else {
            fail("a condition needs \"path\"", pointer)
        }
        if o["equals"] == nil, o["not_equals"] == nil, o["in"] == nil, o["exists"] == nil {
            fail("a condition needs one of \"equals\", \"not_equals\", \"in\" or \"exists\"", pointer)
        }
        var list: [JSONValue]?
        if let v = o["in"] {
            if case .array(let a) = v.mappingKind { list = a.map(\.jsonValue) } else { fail("\"in\" must be an array of values", pointers.appending(pointer, "in")) }
        }
        var exists: Bool?
        if let v = o["exists"] {
            if case .bool(let b) = v.mappingKind { exists = b } else { fail("\"exists\" must be true or false", pointers.appending(pointer, "exists")) }
        }
        guard errors.count == errorCount, let path else { return nil }
        return Condition(path: path, equals: o["equals"]?.jsonValue, notEquals: o["not_equals"]?.jsonValue, inList: list, exists: exists)
    }
}

/// The members of a directive object, one slot per directive key (the first value of the
/// key, as `MappingInputObject`'s subscript gives it).
struct DirectiveMembers<N: MappingInput> {
    var path, value, template, each, map, defaultValue, transform, type, when, keepNull, lookup, dropEmpty: N?

    init() {}

    /// Every slot looked up by its key (the reference for `take`).
    init(lookingUpIn object: MappingInputObject<N>) {
        path = object["@path"]; value = object["@value"]; template = object["@template"]; each = object["@each"]
        map = object["@map"]; defaultValue = object["@default"]; transform = object["@transform"]; type = object["@type"]
        when = object["@when"]; keepNull = object["@keep_null"]; lookup = object["@lookup"]; dropEmpty = object["@drop_empty"]
    }

    /// Fills the slot of `key`, one of the object's distinct keys; false if `key` is no directive.
    /// The keys are distinct under `String ==`, so at most one of them is each directive name
    /// and `object[key]` is `object[name]`.
    mutating func take(_ key: String, _ object: MappingInputObject<N>) -> Bool {
        // An ASCII key is told from the directive names by its bytes (an ASCII string equals
        // another under `==` exactly when the bytes are equal); any other key takes the
        // String switch below, which is the reference (`DirectiveNameTests`).
        if let slot = Self.asciiSlot(key) {
            guard slot >= 0 else { return false }
            let value = object[key]
            switch slot {
            case 0: path = value
            case 1: self.value = value
            case 2: template = value
            case 3: each = value
            case 4: map = value
            case 5: defaultValue = value
            case 6: transform = value
            case 7: type = value
            case 8: when = value
            case 9: keepNull = value
            case 10: lookup = value
            default: dropEmpty = value
            }
            return true
        }
        return takeByName(key, object)
    }

    /// The slot of an all-ASCII key: 0-11 in the order of `CompiledMapping.directiveNames`, -1
    /// for no directive; nil when the key is not all ASCII (or has no contiguous UTF-8).
    static func asciiSlot(_ key: String) -> Int? {
        key.utf8.withContiguousStorageIfAvailable { b -> Int? in
            var bits: UInt8 = 0
            for byte in b { bits |= byte }
            if bits >= 0x80 { return nil }
            func spells(_ word: StaticString) -> Bool {
                guard b.count == word.utf8CodeUnitCount else { return false }
                let w = word.utf8Start
                for i in 0..<b.count where b[i] != w[i] { return false }
                return true
            }
            guard b.count >= 4, b[0] == 0x40 else { return -1 }
            switch b.count {
            case 4: return spells("@map") ? 4 : -1
            case 5: return spells("@path") ? 0 : spells("@each") ? 3 : spells("@type") ? 7 : spells("@when") ? 8 : -1
            case 6: return spells("@value") ? 1 : -1
            case 7: return spells("@lookup") ? 10 : -1
            case 8: return spells("@default") ? 5 : -1
            case 9: return spells("@template") ? 2 : -1
            case 10: return spells("@transform") ? 6 : spells("@keep_null") ? 9 : -1
            case 11: return spells("@drop_empty") ? 11 : -1
            default: return -1
            }
        } ?? nil
    }

    /// `take` by comparing Strings (the reference for `asciiSlot`, and the path for keys
    /// that are not all ASCII).
    mutating func takeByName(_ key: String, _ object: MappingInputObject<N>) -> Bool {
        switch key {
        case "@path": path = object[key]
        case "@value": value = object[key]
        case "@template": template = object[key]
        case "@each": each = object[key]
        case "@map": map = object[key]
        case "@default": defaultValue = object[key]
        case "@transform": transform = object[key]
        case "@type": type = object[key]
        case "@when": when = object[key]
        case "@keep_null": keepNull = object[key]
        case "@lookup": lookup = object[key]
        case "@drop_empty": dropEmpty = object[key]
        default: return false
        }
        return true
    }
}
