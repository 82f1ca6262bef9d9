import DSCore
import DSJSON
import Foundation

/// Annotations the unevaluated* keywords read: which properties and items of the current
/// instance location adjacent keywords (in place, through successful subschemas) evaluated.
final class Annotations {
    var props: Set<String> = []
    var allProps = false
    var itemsPrefix = 0
    var allItems = false
    var itemIndices: Set<Int> = []

    func merge(_ o: Annotations) {
        if o.allProps { allProps = true } else if !o.props.isEmpty { props.formUnion(o.props) }
        if o.allItems { allItems = true }
        itemsPrefix = max(itemsPrefix, o.itemsPrefix)
        if !o.itemIndices.isEmpty { itemIndices.formUnion(o.itemIndices) }
    }
}

/// Exact JSON equality for enum / const / uniqueItems: numbers compare by value (`1.0 == 1`),
/// objects ignore member order.
func jsonEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)):
        return x.text == y.text || SchemaDecimal(x) == SchemaDecimal(y)
    case (.array(let x), .array(let y)):
        guard x.count == y.count else { return false }
        for i in 0..<x.count where !jsonEqual(x[i], y[i]) { return false }
        return true
    case (.string(let x), .string(let y)):
        return sameCodePoints(x, y)
    case (.object(let x), .object(let y)):
        guard x.count == y.count else { return false }
        for i in 0..<x.count {
            guard let w = y[x.keys[i]], jsonEqual(x.value(at: i), w) else { return false }
        }
        return true
    default:
        return a == b
    }
}

/// Code point equality: Swift's `==` would equate canonically equivalent strings.
@inline(__always)
func sameCodePoints(_ x: String, _ y: String) -> Bool {
    let n = x.utf8.count
    guard n == y.utf8.count, x == y else { return false }
    // `==` held: for ASCII text canonical equivalence is byte equality.
    if x.utf8.allSatisfy({ $0 < 0x80 }) { return true }
    var a = x, b = y
    return a.withUTF8 { p in b.withUTF8 { q in n == 0 || memcmp(p.baseAddress!, q.baseAddress!, n) == 0 } }
}

/// Bytes equal exactly when two values are equal under `jsonEqual`: numbers by exact value,
/// strings by code points, object members in code-point order of their keys.
func canonicalBytes(_ v: JSONValue, into out: inout [UInt8]) {
    switch v {
    case .null: out.append(0x6E)
    case .bool(let b): out.append(b ? 0x74 : 0x66)
    case .number(let n):
        out.append(0x23)
        out.append(contentsOf: SchemaDecimal(n).description.utf8)
        out.append(0x3B)
    case .string(let s):
        out.append(0x22)
        JSONWriter.writeString(s, into: &out)
    case .array(let a):
        out.append(0x5B)
        for e in a { canonicalBytes(e, into: &out); out.append(0x2C) }
        out.append(0x5D)
    case .object(let o):
        out.append(0x7B)
        let order = (0..<o.count).sorted { o.keys[$0].utf8.lexicographicallyPrecedes(o.keys[$1].utf8) }
        for i in order {
            JSONWriter.writeString(o.keys[i], into: &out)
            out.append(0x3A)
            canonicalBytes(o.value(at: i), into: &out)
            out.append(0x2C)
        }
        out.append(0x7D)
    }
}

/// The JSON Schema type of a value ("integer" for numbers with no fractional part).
func schemaTypeName(_ v: JSONValue) -> String {
    if case .number(let n) = v { return isInteger(n) ? "integer" : "number" }
    return v.typeName
}

@inline(__always)
func isInteger(_ n: JSONNumber) -> Bool {
    if let f = SchemaDecimal.fastParse(n.text) { return f.scale == 0 || f.mantissa % SchemaDecimal.powersOf10[f.scale] == 0 }
    return SchemaDecimal(n).isInteger
}

/// -1 / 0 / 1 comparing a JSON number with a schema bound.
@inline(__always)
func compare(_ n: JSONNumber, _ bound: SchemaDecimal) -> Int {
    if let b = bound.fast, let x = SchemaDecimal.fastParse(n.text), let (p, q) = SchemaDecimal.aligned(x, b) {
        return p < q ? -1 : (p == q ? 0 : 1)
    }
    let d = SchemaDecimal(n)
    return d < bound ? -1 : (d == bound ? 0 : 1)
}

/// Exact `multipleOf`.
@inline(__always)
func isMultiple(_ n: JSONNumber, of d: SchemaDecimal) -> Bool {
    if let b = d.fast, let x = SchemaDecimal.fastParse(n.text), let (p, q) = SchemaDecimal.aligned(x, b), q != 0 {
        return p % q == 0
    }
    return SchemaDecimal(n).isMultiple(of: d)
}

private func short(_ v: JSONValue) -> String {
    let s = JSONWriter.string(v)
    return s.count > 60 ? String(s.prefix(57)) + "..." : s
}

struct Evaluator {
    var collect: Bool
    let maxDepth: Int
    /// Dynamic scope is only tracked for schemas with `$dynamicRef`.
    let trackScope: Bool
    var errors: [SchemaValidationError] = []
    var scope: [SchemaResource] = []
    var depth = 0

    init(collect: Bool, maxDepth: Int, trackScope: Bool) {
        self.collect = collect
        self.maxDepth = maxDepth
        self.trackScope = trackScope
    }

    @inline(__always)
    mutating func fail(_ node: SchemaNode, _ name: String, _ kpath: String, _ ipath: String, _ message: @autoclosure () -> String) -> Bool {
        if collect {
            errors.append(SchemaValidationError(
                instanceLocation: ipath,
                keywordLocation: name.isEmpty ? kpath : kpath + "/" + name,
                absoluteKeywordLocation: name.isEmpty ? node.absoluteLocation : node.absoluteLocation + "/" + name,
                message: message()))
        }
        return false
    }

    /// Evaluates without recording errors (for `not`, `if`, `contains` and the branches of
    /// `anyOf` / `oneOf` when only the outcome matters).
    mutating func quiet(_ node: SchemaNode, _ inst: JSONValue, ann: Annotations?) -> Bool {
        let saved = collect
        collect = false
        defer { collect = saved }
        return eval(node, inst, ann: ann, kpath: "", ipath: "")
    }

    mutating func eval(_ node: SchemaNode, _ inst: JSONValue, ann: Annotations?, kpath: String, ipath: String) -> Bool {
        if let c = node.constant {
            return c ? true : fail(node, "", kpath, ipath, "no value is allowed here (the schema is false)")
        }
        depth += 1
        defer { depth -= 1 }
        if depth > maxDepth {
            let limit = maxDepth
            return fail(node, "", kpath, ipath, "the schema nests deeper than \(limit) applications here (a $ref cycle?)")
        }
        let pushed = trackScope && scope.last !== node.resource
        if pushed { scope.append(node.resource) }
        defer { if pushed { scope.removeLast() } }
        let local: Annotations? = ann ?? (node.needsAnnotations ? Annotations() : nil)
        var valid = true
        // Reading entries in place avoids copying each (name, keyword) pair out of an array.
        let buffer = node.keywordBuffer
        do {
            for i in 0..<buffer.count {
                if !evalKeyword(node, buffer[i].name, buffer[i].keyword, inst, local, kpath, ipath) {
                    valid = false
                    if !collect { return false }
                }
            }
            return valid
        }
    }

    /// The yes/no path: no error collection, no annotations, no dynamic scope. Handles the
    /// common keywords inline (fewer arguments, no paths) and hands the rest, and any node
    /// that needs annotations, to `eval`.
    mutating func check(_ node: SchemaNode, _ inst: JSONValue) -> Bool {
        if let c = node.constant { return c }
        if node.needsAnnotations { return eval(node, inst, ann: nil, kpath: "", ipath: "") }
        depth &+= 1
        defer { depth &-= 1 }
        if depth > maxDepth { return false }
        let buffer = node.keywordBuffer
        do {
            for i in 0..<buffer.count {
                switch buffer[i].keyword {
                case .type(let mask):
                    let ok: Bool
                    switch inst {
                    case .null: ok = mask.contains(.null)
                    case .bool: ok = mask.contains(.boolean)
                    case .string: ok = mask.contains(.string)
                    case .array: ok = mask.contains(.array)
                    case .object: ok = mask.contains(.object)
                    case .number(let n): ok = mask.contains(.number) || (mask.contains(.integer) && isInteger(n))
                    }
                    if !ok { return false }
                case .ref(let box):
                    if !check(box.node, inst) { return false }
                case .allOf(let subs):
                    for s in subs where !check(s, inst) { return false }
                case .anyOf(let subs):
                    var any = false
                    for s in subs where check(s, inst) { any = true; break }
                    if !any { return false }
                case .properties(let props):
                    guard case .object(let o) = inst else { continue }
                    if o.hasHashIndex {
                        for p in props {
                            if let j = o.position(of: p.name), !check(p.node, o.value(at: j)) { return false }
                        }
                        continue
                    }
                    let ok = o.withUnsafeMembers { keys, values in
                        var start = 0
                        for p in props {
                            guard let j = JSONObject.position(of: p.name, in: keys, startingAt: start) else { continue }
                            start = j &+ 1 == keys.count ? 0 : j &+ 1
                            if !check(p.node, values[j]) { return false }
                        }
                        return true
                    }
                    if !ok { return false }
                case .items(let s, let prefix):
                    guard case .array(let a) = inst, a.count > prefix else { continue }
                    for j in prefix..<a.count where !check(s, a[j]) { return false }
                case .asciiConstant(let a):
                    guard case .string(let b) = inst, a.utf8.count == b.utf8.count, a == b else { return false }
                case .asciiEnumeration(let strings):
                    guard case .string(let b) = inst else { return false }
                    let n = b.utf8.count
                    var found = false
                    for a in strings where a.utf8.count == n && a == b { found = true; break }
                    if !found { return false }
                case .constant(let v):
                    if case .string(let a) = v {
                        guard case .string(let b) = inst, sameCodePoints(a, b) else { return false }
                    } else if !jsonEqual(v, inst) {
                        return false
                    }
                case .enumeration(let values):
                    var found = false
                    if case .string(let b) = inst {
                        for v in values { if case .string(let a) = v, sameCodePoints(a, b) { found = true; break } }
                    } else {
                        for v in values where jsonEqual(v, inst) { found = true; break }
                    }
                    if !found { return false }
                case .minimum(let b):
                    if case .number(let n) = inst, compare(n, b.value) < 0 { return false }
                case .maximum(let b):
                    if case .number(let n) = inst, compare(n, b.value) > 0 { return false }
                case .multipleOf(let b):
                    if case .number(let n) = inst, !isMultiple(n, of: b.value) { return false }
                case .maxLength(let m):
                    if case .string(let str) = inst, str.utf8.count > m, str.unicodeScalars.count > m { return false }
                case .minLength(let m):
                    guard case .string(let str) = inst, str.utf8.count < m &* 4 else { continue }
                    var c = 0
                    for _ in str.unicodeScalars { c &+= 1; if c >= m { break } }
                    if c < m { return false }
                case .required(let names):
                    guard case .object(let o) = inst else { continue }
                    if o.hasHashIndex {
                        for n in names where o.position(of: n) == nil { return false }
                        continue
                    }
                    let ok = o.withUnsafeMembers { keys, _ in
                        for n in names where JSONObject.position(of: n, in: keys) == nil { return false }
                        return true
                    }
                    if !ok { return false }
                case .additionalProperties(let rule):
                    guard case .object(let o) = inst else { continue }
                    for j in 0..<o.count {
                        let k = o.keys[j]
                        if rule.known.contains(k) || rule.patterns.contains(where: { $0.matches(k) }) { continue }
                        if !check(rule.node, o.value(at: j)) { return false }
                    }
                default:
                    if !evalKeyword(node, buffer[i].name, buffer[i].keyword, inst, nil, "", "") { return false }
                }
            }
            return true
        }
    }

    /// Applies a subschema to the same instance location; its annotations reach `local` only if it passes.
    @inline(__always)
    mutating func inPlace(_ s: SchemaNode, _ inst: JSONValue, _ local: Annotations?, _ kpath: String, _ ipath: String) -> Bool {
        guard let local else { return eval(s, inst, ann: nil, kpath: kpath, ipath: ipath) }
        let child = Annotations()
        let ok = eval(s, inst, ann: child, kpath: kpath, ipath: ipath)
        if ok { local.merge(child) }
        return ok
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    mutating func evalKeyword(_ node: SchemaNode, _ name: String, _ keyword: Keyword, _ inst: JSONValue, _ local: Annotations?, _ kpath: String, _ ipath: String) -> Bool {
        switch keyword {
        case .ref(let box):
            return inPlace(box.node, inst, local, collect ? kpath + "/$ref" : "", ipath)

        case .dynamicRef(let box):
            var target = box.node
            if let anchor = box.dynamicName {
                for r in scope { if let n = r.dynamicAnchors[anchor] { target = n; break } }
            }
            return inPlace(target, inst, local, collect ? kpath + "/$dynamicRef" : "", ipath)

        case .type(let mask):
            let ok: Bool
            switch inst {
            case .null: ok = mask.contains(.null)
            case .bool: ok = mask.contains(.boolean)
            case .string: ok = mask.contains(.string)
            case .array: ok = mask.contains(.array)
            case .object: ok = mask.contains(.object)
            case .number(let n): ok = mask.contains(.number) || (mask.contains(.integer) && isInteger(n))
            }
            return ok || fail(node, name, kpath, ipath, "expected \(mask.names.joined(separator: " or ")), got \(schemaTypeName(inst))")

        case .enumeration(let values):
            for v in values where jsonEqual(v, inst) { return true }
            return fail(node, name, kpath, ipath, "must be one of " + values.prefix(10).map(short).joined(separator: ", ") + (values.count > 10 ? ", ... (\(values.count) values)" : "") + "; got \(short(inst))")

        case .asciiConstant(let str):
            return evalKeyword(node, name, .constant(.string(str)), inst, local, kpath, ipath)
        case .asciiEnumeration(let strings):
            if case .string(let b) = inst {
                for a in strings where a.utf8.count == b.utf8.count && a == b { return true }
            }
            return evalKeyword(node, name, .enumeration(strings.map { .string($0) }), inst, local, kpath, ipath)
        case .constant(let v):
            return jsonEqual(v, inst) || fail(node, name, kpath, ipath, "must be \(short(v)); got \(short(inst))")

        case .multipleOf(let bound):
            let d = bound.value
            guard case .number(let n) = inst else { return true }
            return isMultiple(n, of: d) || fail(node, name, kpath, ipath, "must be a multiple of \(d.text); got \(n.text)")
        case .maximum(let bound):
            let d = bound.value
            guard case .number(let n) = inst else { return true }
            return compare(n, d) <= 0 || fail(node, name, kpath, ipath, "must be at most \(d.text); got \(n.text)")
        case .exclusiveMaximum(let bound):
            let d = bound.value
            guard case .number(let n) = inst else { return true }
            return compare(n, d) < 0 || fail(node, name, kpath, ipath, "must be less than \(d.text); got \(n.text)")
        case .minimum(let bound):
            let d = bound.value
            guard case .number(let n) = inst else { return true }
            return compare(n, d) >= 0 || fail(node, name, kpath, ipath, "must be at least \(d.text); got \(n.text)")
        case .exclusiveMinimum(let bound):
            let d = bound.value
            guard case .number(let n) = inst else { return true }
            return compare(n, d) > 0 || fail(node, name, kpath, ipath, "must be greater than \(d.text); got \(n.text)")

        case .maxLength(let m):
            guard case .string(let s) = inst else { return true }
            if s.utf8.count <= m { return true }
            let c = s.unicodeScalars.count
            return c <= m || fail(node, name, kpath, ipath, "must be at most \(m) characters long; is \(c)")
        case .minLength(let m):
            guard case .string(let s) = inst else { return true }
            // A code point is at most 4 UTF-8 bytes: long enough strings need no count.
            if s.utf8.count >= m &* 4 { return true }
            var c = 0
            for _ in s.unicodeScalars { c &+= 1; if c >= m { return true } }
            return c >= m || fail(node, name, kpath, ipath, "must be at least \(m) characters long; is \(c)")
        case .pattern(let re):
            guard case .string(let s) = inst else { return true }
            return re.matches(s) || fail(node, name, kpath, ipath, "must match the pattern /\(re.source)/; got \(short(inst))")
        case .format(let rule):
            let fname = rule.name, check = rule.check
            guard case .string(let s) = inst else { return true }
            return check(s) || fail(node, name, kpath, ipath, "is not a valid \(fname): \(short(inst))")

        case .maxItems(let m):
            guard case .array(let a) = inst else { return true }
            return a.count <= m || fail(node, name, kpath, ipath, "must have at most \(m) items; has \(a.count)")
        case .minItems(let m):
            guard case .array(let a) = inst else { return true }
            return a.count >= m || fail(node, name, kpath, ipath, "must have at least \(m) items; has \(a.count)")
        case .uniqueItems:
            guard case .array(let a) = inst, a.count > 1 else { return true }
            if a.count <= 8 {
                for i in 0..<a.count {
                    for j in (i + 1)..<a.count where jsonEqual(a[i], a[j]) {
                        return fail(node, name, kpath, ipath, "items must be unique; items \(i) and \(j) are equal")
                    }
                }
                return true
            }
            // Linear time for long arrays: each item's canonical bytes (numbers by value, members
            // sorted) in a hash table, so a large instance cannot cost n² comparisons.
            var seen: [[UInt8]: Int] = [:]
            seen.reserveCapacity(a.count)
            for (j, item) in a.enumerated() {
                var key: [UInt8] = []
                canonicalBytes(item, into: &key)
                if let i = seen[key] { return fail(node, name, kpath, ipath, "items must be unique; items \(i) and \(j) are equal") }
                seen[key] = j
            }
            return true

        case .maxProperties(let m):
            guard case .object(let o) = inst else { return true }
            return o.count <= m || fail(node, name, kpath, ipath, "must have at most \(m) properties; has \(o.count)")
        case .minProperties(let m):
            guard case .object(let o) = inst else { return true }
            return o.count >= m || fail(node, name, kpath, ipath, "must have at least \(m) properties; has \(o.count)")
        case .required(let names):
            guard case .object(let o) = inst else { return true }
            if !o.hasHashIndex && !collect {
                // Fast path: one scan of the key buffer per name, no calls.
                return o.withUnsafeMembers { keys, _ in
                    for n in names where JSONObject.position(of: n, in: keys) == nil { return false }
                    return true
                }
            }
            var ok = true
            for n in names where o.position(of: n) == nil {
                let hint = suggestion(n, in: o)
                ok = fail(node, name, kpath, ipath, "is missing the required property \"\(n)\"" + hint)
                if !collect { return false }
            }
            return ok
        case .dependentRequired(let deps):
            guard case .object(let o) = inst else { return true }
            var ok = true
            for dep in deps where o.position(of: dep.name) != nil {
                let k = dep.name
                for n in dep.required where o.position(of: n) == nil {
                    ok = fail(node, name, kpath, ipath, "has \"\(k)\", so it must also have \"\(n)\"")
                    if !collect { return false }
                }
            }
            return ok

        case .allOf(let subs):
            var ok = true
            for (i, s) in subs.enumerated() where !inPlace(s, inst, local, collect ? kpath + "/allOf/" + String(i) : "", ipath) {
                ok = false
                if !collect { return false }
            }
            return ok
        case .anyOf(let subs):
            if local == nil && !collect {
                for s in subs where eval(s, inst, ann: nil, kpath: "", ipath: ipath) { return true }
                return false
            }
            let before = errors.count
            var any = false
            for (i, s) in subs.enumerated() {
                let child = local != nil ? Annotations() : nil
                if eval(s, inst, ann: child, kpath: collect ? kpath + "/anyOf/" + String(i) : "", ipath: ipath) {
                    any = true
                    if let child { local?.merge(child) } else { break }
                }
            }
            if any { errors.removeSubrange(before...); return true }
            return fail(node, name, kpath, ipath, "does not match any of the \(subs.count) alternatives in anyOf")
        case .oneOf(let subs):
            let before = errors.count
            var matched: [Int] = []
            var matchedAnn: Annotations?
            for (i, s) in subs.enumerated() {
                let child = local != nil ? Annotations() : nil
                if eval(s, inst, ann: child, kpath: collect ? kpath + "/oneOf/" + String(i) : "", ipath: ipath) {
                    matched.append(i)
                    matchedAnn = child
                    if matched.count > 1 && !collect { return false }
                }
            }
            if matched.count == 1 {
                errors.removeSubrange(before...)
                if let matchedAnn { local?.merge(matchedAnn) }
                return true
            }
            if matched.isEmpty { return fail(node, name, kpath, ipath, "does not match any of the \(subs.count) alternatives in oneOf") }
            errors.removeSubrange(before...)
            return fail(node, name, kpath, ipath, "matches \(matched.count) alternatives in oneOf (\(matched.map(String.init).joined(separator: ", "))); it must match exactly one")
        case .not(let s):
            return !quiet(s, inst, ann: nil) || fail(node, name, kpath, ipath, "must not match the schema in not")
        case .ifThenElse(let rule):
            let cond = rule.condition, then = rule.then, els = rule.otherwise
            let child = local != nil ? Annotations() : nil
            if quiet(cond, inst, ann: child) {
                if let child { local?.merge(child) }
                guard let then else { return true }
                return inPlace(then, inst, local, collect ? kpath + "/then" : "", ipath)
            }
            guard let els else { return true }
            return inPlace(els, inst, local, collect ? kpath + "/else" : "", ipath)
        case .dependentSchemas(let deps):
            guard case .object(let o) = inst else { return true }
            var ok = true
            for dep in deps where o.position(of: dep.name) != nil {
                let k = dep.name, s = dep.node
                if !inPlace(s, inst, local, collect ? kpath + "/dependentSchemas/" + JSONPointer.escape(k) : "", ipath) {
                    ok = false
                    if !collect { return false }
                }
            }
            return ok

        case .prefixItems(let subs):
            guard case .array(let a) = inst else { return true }
            var ok = true
            let n = min(a.count, subs.count)
            for i in 0..<n where !eval(subs[i], a[i], ann: nil, kpath: collect ? kpath + "/prefixItems/" + String(i) : "", ipath: collect ? ipath + "/" + String(i) : "") {
                ok = false
                if !collect { return false }
            }
            if let local { local.itemsPrefix = max(local.itemsPrefix, n) }
            return ok
        case .items(let s, let prefix):
            guard case .array(let a) = inst, a.count > prefix else { return true }
            if s.constant == false {
                return fail(node, name, kpath, ipath, "must have at most \(prefix) items; has \(a.count)")
            }
            var ok = true
            for i in prefix..<a.count where !eval(s, a[i], ann: nil, kpath: collect ? kpath + "/items" : "", ipath: collect ? ipath + "/" + String(i) : "") {
                ok = false
                if !collect { return false }
            }
            local?.allItems = true
            return ok
        case .contains(let rule):
            let s = rule.node, minC = rule.min, maxC = rule.max
            guard case .array(let a) = inst else { return true }
            var count = 0
            for i in 0..<a.count where quiet(s, a[i], ann: nil) {
                count += 1
                local?.itemIndices.insert(i)
                if local == nil && maxC == nil && count >= minC { break }
            }
            if count < minC { return fail(node, name, kpath, ipath, "must contain at least \(minC) item\(minC == 1 ? "" : "s") matching contains; has \(count)") }
            if let maxC, count > maxC { return fail(node, name, kpath, ipath, "must contain at most \(maxC) item\(maxC == 1 ? "" : "s") matching contains; has \(count)") }
            return true

        case .properties(let props):
            guard case .object(let o) = inst else { return true }
            if !o.hasHashIndex && !collect && local == nil {
                return o.withUnsafeMembers { keys, values in
                    var start = 0
                    for p in props {
                        guard let i = JSONObject.position(of: p.name, in: keys, startingAt: start) else { continue }
                        start = i &+ 1 == keys.count ? 0 : i &+ 1
                        if !eval(p.node, values[i], ann: nil, kpath: "", ipath: "") { return false }
                    }
                    return true
                }
            }
            var ok = true
            for p in props {
                guard let i = o.position(of: p.name) else { continue }
                let k = p.name, s = p.node
                local?.props.insert(k)
                if !eval(s, o.value(at: i), ann: nil, kpath: collect ? kpath + "/properties/" + JSONPointer.escape(k) : "", ipath: collect ? ipath + "/" + JSONPointer.escape(k) : "") {
                    ok = false
                    if !collect { return false }
                }
            }
            return ok
        case .patternProperties(let pats):
            guard case .object(let o) = inst else { return true }
            var ok = true
            for index in 0..<o.count {
                let k = o.keys[index], v = o.value(at: index)
                for p in pats where p.regex.matches(k) {
                    let re = p.regex, s = p.node
                    local?.props.insert(k)
                    if !eval(s, v, ann: nil, kpath: collect ? kpath + "/patternProperties/" + JSONPointer.escape(re.source) : "", ipath: collect ? ipath + "/" + JSONPointer.escape(k) : "") {
                        ok = false
                        if !collect { return false }
                    }
                }
            }
            return ok
        case .additionalProperties(let rule):
            let s = rule.node, known = rule.known, patterns = rule.patterns
            guard case .object(let o) = inst else { return true }
            var ok = true
            for index in 0..<o.count {
                let k = o.keys[index]
                if known.contains(k) || patterns.contains(where: { $0.matches(k) }) { continue }
                let v = o.value(at: index)
                local?.props.insert(k)
                if s.constant == false {
                    ok = fail(node, name, kpath, collect ? ipath + "/" + JSONPointer.escape(k) : "", "property \"\(k)\" is not allowed" + (Suggestions.closest(to: k, in: known.list).map { "; did you mean \"\($0)\"?" } ?? ""))
                } else if !eval(s, v, ann: nil, kpath: collect ? kpath + "/additionalProperties" : "", ipath: collect ? ipath + "/" + JSONPointer.escape(k) : "") {
                    ok = false
                }
                if !ok && !collect { return false }
            }
            return ok
        case .propertyNames(let s):
            guard case .object(let o) = inst else { return true }
            var ok = true
            for k in o.keys where !eval(s, .string(k), ann: nil, kpath: collect ? kpath + "/propertyNames" : "", ipath: collect ? ipath + "/" + JSONPointer.escape(k) : "") {
                ok = false
                if !collect { return false }
            }
            return ok

        case .unevaluatedItems(let s):
            guard case .array(let a) = inst, let local, !local.allItems else { return true }
            var ok = true
            for i in local.itemsPrefix..<max(local.itemsPrefix, a.count) where !local.itemIndices.contains(i) {
                if s.constant == false {
                    ok = fail(node, name, kpath, collect ? ipath + "/" + String(i) : "", "item \(i) is not allowed (not evaluated by any other keyword)")
                } else if !eval(s, a[i], ann: nil, kpath: collect ? kpath + "/unevaluatedItems" : "", ipath: collect ? ipath + "/" + String(i) : "") {
                    ok = false
                }
                if !ok && !collect { return false }
            }
            if ok { local.allItems = true }
            return ok
        case .unevaluatedProperties(let s):
            guard case .object(let o) = inst, let local, !local.allProps else { return true }
            var ok = true
            for index in 0..<o.count where !local.props.contains(o.keys[index]) {
                let k = o.keys[index], v = o.value(at: index)
                if s.constant == false {
                    ok = fail(node, name, kpath, collect ? ipath + "/" + JSONPointer.escape(k) : "", "property \"\(k)\" is not allowed (not evaluated by any other keyword)")
                } else if !eval(s, v, ann: nil, kpath: collect ? kpath + "/unevaluatedProperties" : "", ipath: collect ? ipath + "/" + JSONPointer.escape(k) : "") {
                    ok = false
                }
                if !ok && !collect { return false }
            }
            if ok { local.allProps = true }
            return ok
        }
    }

    private func suggestion(_ missing: String, in o: JSONObject) -> String {
        guard collect, let s = Suggestions.closest(to: missing, in: o.keys) else { return "" }
        return " (it has \"\(s)\"; misspelt?)"
    }
}
