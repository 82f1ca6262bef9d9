/// A difference between the fixtures on disk and freshly rendered ones.
public enum FixtureDrift: Sendable, Equatable {
    /// Rendering produces a file that is not on disk.
    case missing(name: String)
    /// A file on disk is no longer produced.
    case extra(name: String)
    /// The file differs; `diff` is a unified-style line diff (on disk -> rendered).
    case changed(name: String, diff: String)

    /// The file concerned.
    public var name: String {
        switch self {
        case .missing(let n), .extra(let n), .changed(let n, _): return n
        }
    }
}

/// Compares fixture sets byte for byte and explains differences as line diffs.
public enum FixtureComparison {
    /// Every difference between `rendered` and the files `onDisk` (name -> bytes), sorted by name.
    public static func compare(rendered: [FixtureFile], onDisk: [String: [UInt8]]) -> [FixtureDrift] {
        var drifts: [FixtureDrift] = []
        let renderedNames = Set(rendered.map(\.name))
        for file in rendered {
            guard let existing = onDisk[file.name] else { drifts.append(.missing(name: file.name)); continue }
            if existing != file.bytes {
                drifts.append(.changed(name: file.name, diff: LineDiff.unified(old: existing, new: file.bytes, oldLabel: "\(file.name) (on disk)", newLabel: "\(file.name) (rendered)")))
            }
        }
        for name in onDisk.keys where !renderedNames.contains(name) { drifts.append(.extra(name: name)) }
        return drifts.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// A readable report of `drifts` for the fixture directory `directory`.
    public static func report(_ drifts: [FixtureDrift], directory: String) -> String {
        var out = ""
        for d in drifts {
            let path = directory.hasSuffix("/") ? directory + d.name : directory + "/" + d.name
            switch d {
            case .missing: out += "missing: \(path) (rendering produces it; run dspec render without --check to write it)\n"
            case .extra: out += "extra: \(path) (no longer produced; run dspec render without --check to remove it)\n"
            case .changed(_, let diff): out += "changed: \(path)\n" + diff
            }
        }
        return out
    }
}

/// A unified-style line diff with three lines of context, Foundation-free.
///
/// Common leading and trailing lines are skipped first (fixture drift is usually a few
/// lines), then the middle is aligned by longest common subsequence; a middle too large for
/// that is shown as removed and re-added, which is still correct, just less minimal.
public enum LineDiff {
    private enum Op: Equatable { case same(Int, Int), removed(Int), added(Int) }

    /// The diff of two byte buffers split into lines; empty if they are equal.
    public static func unified(old: [UInt8], new: [UInt8], oldLabel: String, newLabel: String, context: Int = 3) -> String {
        let a = lines(old), b = lines(new)
        if a == b { return old == new ? "" : "--- \(oldLabel)\n+++ \(newLabel)\n(only line endings differ)\n" }
        let ops = script(a, b)
        var out = "--- \(oldLabel)\n+++ \(newLabel)\n"
        var i = 0
        while i < ops.count {
            guard let change = ops[i...].firstIndex(where: { if case .same = $0 { return false }; return true }) else { break }
            let start = max(i, change - context)
            // Extend the hunk while the next change is within 2*context lines.
            var lastChange = change
            var j = change
            while j < ops.count {
                if case .same = ops[j] {
                    if j - lastChange > 2 * context { break }
                } else {
                    lastChange = j
                }
                j += 1
            }
            let end = min(ops.count, lastChange + 1 + context)
            let hunk = ops[start..<end]
            let oldStart = hunk.compactMap { op -> Int? in if case .same(let x, _) = op { return x }; if case .removed(let x) = op { return x }; return nil }.first
            let newStart = hunk.compactMap { op -> Int? in if case .same(_, let y) = op { return y }; if case .added(let y) = op { return y }; return nil }.first
            let oldCount = hunk.filter { if case .added = $0 { return false }; return true }.count
            let newCount = hunk.filter { if case .removed = $0 { return false }; return true }.count
            out += "@@ -\((oldStart ?? 0) + (oldCount > 0 ? 1 : 0)),\(oldCount) +\((newStart ?? 0) + (newCount > 0 ? 1 : 0)),\(newCount) @@\n"
            for op in hunk {
                switch op {
                case .same(let x, _): out += " " + a[x] + "\n"
                case .removed(let x): out += "-" + a[x] + "\n"
                case .added(let y): out += "+" + b[y] + "\n"
                }
            }
            i = end
        }
        return out
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        var result = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if bytes.last == 0x0A { result.removeLast() }
        return result
    }

    /// The edit script from `a` to `b`.
    private static func script(_ a: [String], _ b: [String]) -> [Op] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        var ops: [Op] = (0..<prefix).map { .same($0, $0) }
        let midA = Array(a[prefix..<(a.count - suffix)]), midB = Array(b[prefix..<(b.count - suffix)])
        if midA.count * midB.count <= 4_000_000 {
            // LCS table over the middle, then walk it forwards.
            let n = midA.count, m = midB.count
            var table = [Int](repeating: 0, count: (n + 1) * (m + 1))
            for x in stride(from: n - 1, through: 0, by: -1) {
                for y in stride(from: m - 1, through: 0, by: -1) {
                    table[x * (m + 1) + y] = midA[x] == midB[y] ? table[(x + 1) * (m + 1) + y + 1] + 1
                        : max(table[(x + 1) * (m + 1) + y], table[x * (m + 1) + y + 1])
                }
            }
            var x = 0, y = 0
            while x < n || y < m {
                if x < n, y < m, midA[x] == midB[y] {
                    ops.append(.same(prefix + x, prefix + y)); x += 1; y += 1
                } else if x < n, y == m || table[(x + 1) * (m + 1) + y] >= table[x * (m + 1) + y + 1] {
                    ops.append(.removed(prefix + x)); x += 1
                } else {
                    ops.append(.added(prefix + y)); y += 1
                }
            }
        } else {
            ops += midA.indices.map { .removed(prefix + $0) }
            ops += midB.indices.map { .added(prefix + $0) }
        }
        ops += (0..<suffix).map { .same(a.count - suffix + $0, b.count - suffix + $0) }
        return ops
    }
}
