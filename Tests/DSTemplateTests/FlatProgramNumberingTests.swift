import DSCore
@testable import DSTemplate
import XCTest

/// `FlatProgram` accepts a slot table only if every stored index (`Slot.stored`) is in
/// `0..<storedCount` and used once: the flat renderer writes `bound[k]` and `copies[k]` into
/// buffers of that size without checks. A table numbered otherwise gets no flat form (the
/// general renderer is used).
final class FlatProgramNumberingTests: XCTestCase {
    /// `{{a.x}}{{b.y}}{{b.z.w}}`: slots a, x, b, y, z, w; a, b and z are stored (0, 1, 2).
    private func tables() throws -> ProgramTables {
        let template = try CompiledTemplate.compile("{{a.x}}{{b.y}}{{b.z.w}}", mode: .text)
        XCTAssertNotNil(template.storage.flat)
        return template.tables
    }

    private func index(of segment: String, in tables: ProgramTables) throws -> Int {
        try XCTUnwrap(tables.slots.firstIndex { $0.segment == segment })
    }

    /// Accepts `tables` with `a`, `b`, `z` numbered `numbers` (and frees the program it builds).
    private func accepts(_ numbers: (Int, Int, Int)) throws -> Bool {
        var tables = try tables()
        let (a, b, z) = (try index(of: "a", in: tables), try index(of: "b", in: tables), try index(of: "z", in: tables))
        XCTAssertEqual([tables.slots[a].stored, tables.slots[b].stored, tables.slots[z].stored], [0, 1, 2])
        tables.slots[a].stored = numbers.0
        tables.slots[b].stored = numbers.1
        tables.slots[z].stored = numbers.2
        guard let flat = FlatProgram(tables) else { return false }
        flat.deallocate()
        return true
    }

    func testDenseNumberingsInAnyOrderAreAccepted() throws {
        XCTAssertTrue(try accepts((0, 1, 2)))
        XCTAssertTrue(try accepts((2, 0, 1)))
        XCTAssertTrue(try accepts((1, 2, 0)))
    }

    func testARepeatedStoredIndexIsRefused() throws {
        XCTAssertFalse(try accepts((0, 0, 2)))
        XCTAssertFalse(try accepts((1, 2, 1)))
        XCTAssertFalse(try accepts((2, 2, 2)))
    }

    func testAStoredIndexOutOfRangeIsRefused() throws {
        XCTAssertFalse(try accepts((0, 1, 3)))
        XCTAssertFalse(try accepts((0, 7, 2)))
        XCTAssertFalse(try accepts((Int.max, 1, 2)))
    }

    /// A leaf that carries a stored index (the compiler gives leaves -1) counts as stored:
    /// accepted when the numbering stays dense and distinct, refused otherwise.
    func testAStoredLeafMustFitTheNumberingToo() throws {
        var tables = try tables()
        let w = try index(of: "w", in: tables)
        tables.slots[w].stored = 1
        XCTAssertNil(FlatProgram(tables))
        tables.slots[w].stored = 3
        let flat = try XCTUnwrap(FlatProgram(tables))
        flat.deallocate()
    }
}
