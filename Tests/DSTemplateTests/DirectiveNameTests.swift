import DSCore
import DSJSON
@testable import DSMapping
import XCTest

/// `DirectiveMembers.asciiSlot` tells directive keys by their bytes; it must agree with the
/// String comparison (`CompiledMapping.directiveNames` and `==`) on every key it answers,
/// and decline every key that is not all ASCII; and `take` must fill the field
/// `takeByName` fills (the slot-to-field switch), on the same keys.
final class DirectiveNameTests: XCTestCase {
    private func reference(_ key: String) -> Int { CompiledMapping.directiveNames.firstIndex(of: key) ?? -1 }

    private func check(_ key: String, file: StaticString = #filePath, line: UInt = #line) {
        let slot = DirectiveMembers<JSONNode>.asciiSlot(key)
        if key.utf8.allSatisfy({ $0 < 0x80 }) {
            XCTAssertEqual(slot, reference(key), key.debugDescription, file: file, line: line)
        } else {
            XCTAssertNil(slot, key.debugDescription, file: file, line: line)
        }
        checkTake(key, file: file, line: line)
    }

    /// The twelve slots, in the order of `CompiledMapping.directiveNames`.
    private func fields(_ m: DirectiveMembers<JSONValue>) -> [JSONValue?] {
        [m.path, m.value, m.template, m.each, m.map, m.defaultValue, m.transform, m.type, m.when, m.keepNull, m.lookup, m.dropEmpty]
    }

    /// `take` (the byte switch and its slot-to-field switch) fills the same field with the
    /// same value as `takeByName` (the String switch), in an object `{key: key}`; and a
    /// directive name lands in its own field (the one at its `directiveNames` index).
    private func checkTake(_ key: String, file: StaticString = #filePath, line: UInt = #line) {
        let input = JSONValue.object(JSONObject([(key, .string(key))]))
        let object = MappingInputObject(input: input, keys: [key])
        var taken = DirectiveMembers<JSONValue>(), byName = DirectiveMembers<JSONValue>()
        XCTAssertEqual(taken.take(key, object), byName.takeByName(key, object), key.debugDescription, file: file, line: line)
        XCTAssertEqual(fields(taken), fields(byName), key.debugDescription, file: file, line: line)
        var expected = [JSONValue?](repeating: nil, count: 12)
        if let i = CompiledMapping.directiveNames.firstIndex(of: key) { expected[i] = .string(key) }
        XCTAssertEqual(fields(taken), expected, key.debugDescription, file: file, line: line)
    }

    func testChosenKeys() {
        for name in CompiledMapping.directiveNames {
            check(name)
            check(String(name.dropLast()))
            check(name + "x")
            check(name.uppercased())
            check(String(name.dropFirst()))
            check("@" + name)
        }
        for key in ["", "@", "@@path", "path", "@Path", "@pathx", "@pat", "@maps", "@ma", "@e\u{301}ach", "@pa\u{0074}h", "@dropEmpty", "@keep-null", "@\u{212A}"] {
            check(key)
        }
    }

    func testRandomKeys() {
        var rng = SplitMix64(seed: 0xD1_2EC7)
        let alphabet = Array("@_abcdeghklmnoprstuvwxyz".unicodeScalars) + ["\u{301}", "é", "\u{212A}", "A"]
        for _ in 0..<40_000 {
            var key: String
            if rng.next() % 2 == 0 {
                // A directive name with one change.
                var scalars = Array(CompiledMapping.directiveNames[Int(rng.next() % 12)].unicodeScalars)
                let at = Int(rng.next() % UInt64(scalars.count + 1))
                switch rng.next() % 3 {
                case 0: scalars.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: at)
                case 1: if at < scalars.count { scalars.remove(at: at) }
                default: if at < scalars.count { scalars[at] = alphabet[Int(rng.next() % UInt64(alphabet.count))] }
                }
                key = String(String.UnicodeScalarView(scalars))
            } else {
                key = String(String.UnicodeScalarView((0..<Int(rng.next() % 12)).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }))
            }
            check(key)
        }
    }
}
