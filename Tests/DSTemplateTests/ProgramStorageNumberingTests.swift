import DSCore
@testable import DSTemplate
import XCTest

/// `ProgramStorage` numbers the stored slots itself (`numberStoredSlots`), where the raw
/// buffers indexed by `Slot.stored` are made: whatever numbering the tables bring, the
/// storage's is dense (0..<storedSlots), gives exactly the parents a number, puts each
/// parent below its children, and `interiorSlots` inverts it. Before, the storage trusted
/// the compiler's numbering and wrote `interiorSlots[stored]` unchecked.
final class ProgramStorageNumberingTests: XCTestCase {
    private func checkNumbering(_ storage: ProgramStorage, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let slots = storage.tables.slots
        var isParent = [Bool](repeating: false, count: slots.count)
        for s in slots where s.parent >= 0 { isParent[s.parent] = true }
        XCTAssertEqual(storage.storedSlots, isParent.filter { $0 }.count, what, file: file, line: line)
        for (i, s) in slots.enumerated() {
            XCTAssertEqual(s.stored >= 0, isParent[i], "\(what): slot \(i)", file: file, line: line)
            if s.parent >= 0 { XCTAssertLessThan(slots[s.parent].stored, s.stored < 0 ? Int.max : s.stored, what, file: file, line: line) }
        }
        for k in 0..<storage.storedSlots {
            XCTAssertEqual(slots[storage.interiorSlots[k]].stored, k, "\(what): interior \(k)", file: file, line: line)
        }
    }

    func testAnyNumberingTheTablesBringIsReplaced() throws {
        let template = try CompiledTemplate.compile("{{a.x}}{{b.y}}{{b.z.w}}{{#each c.d}}{{e.f}}{{/each}}", mode: .text)
        let base = template.tables
        checkNumbering(template.storage, "compiled")
        let scrambles: [(Int) -> Int] = [{ _ in 0 }, { _ in 7 }, { $0 }, { -$0 }, { 100 - $0 }, { $0 % 2 == 0 ? -1 : 3 }, { _ in Int.max }]
        for (n, scramble) in scrambles.enumerated() {
            var tables = base
            for i in tables.slots.indices { tables.slots[i].stored = scramble(i) }
            let storage = ProgramStorage(tables, flatForm: false)
            checkNumbering(storage, "scramble \(n)")
            XCTAssertEqual(storage.tables.slots.map(\.stored), base.slots.map(\.stored), "scramble \(n)")
        }
    }

    func testRandomTemplatesAreNumberedDensely() throws {
        var rng = SystemRandomNumberGenerator()
        let names = ["a", "b", "c", "d", "user", "traits", "@settings.x", "properties"]
        for t in 0..<500 {
            let holes = (0..<Int.random(in: 1...8, using: &rng)).map { _ in
                "{{" + (0..<Int.random(in: 1...4, using: &rng)).map { _ in names.randomElement(using: &rng)! }.joined(separator: ".") + "}}"
            }
            let source = holes.joined(separator: "-")
            guard let template = try? CompiledTemplate.compile(source, mode: .text) else { continue }
            checkNumbering(template.storage, "template \(t): \(source)")
        }
    }
}
