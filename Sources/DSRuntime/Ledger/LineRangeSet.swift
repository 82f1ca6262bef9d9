/// A set of input line numbers kept as sorted, merged ranges. Acknowledgements arrive
/// almost in order, so a million acknowledged lines are a handful of ranges, which keeps
/// checkpoint memory constant however long the input.
public struct LineRangeSet: Sendable, Equatable {
    /// The ranges, sorted and non-adjacent.
    public private(set) var ranges: [ClosedRange<Int>] = []

    /// Creates an empty set.
    public init() {}

    /// True if `line` is in the set.
    public func contains(_ line: Int) -> Bool {
        var lo = 0, hi = ranges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < line { lo = mid + 1 } else if ranges[mid].lowerBound > line { hi = mid - 1 } else { return true }
        }
        return false
    }

    /// Number of lines in the set.
    public var count: Int { ranges.reduce(0) { $0 + $1.count } }

    /// Adds `range`, merging with neighbours.
    public mutating func insert(_ range: ClosedRange<Int>) {
        // Index of the first range that ends at or after range.lowerBound - 1.
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ranges[mid].upperBound < range.lowerBound - 1 { lo = mid + 1 } else { hi = mid }
        }
        var merged = range
        var end = lo
        while end < ranges.count && ranges[end].lowerBound <= range.upperBound + 1 {
            merged = min(merged.lowerBound, ranges[end].lowerBound)...max(merged.upperBound, ranges[end].upperBound)
            end += 1
        }
        ranges.replaceSubrange(lo..<end, with: [merged])
    }

    /// Sorted lines as maximal runs of consecutive numbers.
    public static func runs(_ lines: [Int]) -> [ClosedRange<Int>] {
        let sorted = lines.sorted()
        var result: [ClosedRange<Int>] = []
        for l in sorted {
            if let last = result.last, l <= last.upperBound + 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, l)
            } else {
                result.append(l...l)
            }
        }
        return result
    }
}
