import DSCore

/// Filtering and sharding of the full, ordered case list, so CI can run a subset
/// (`--filter`) or split the work across N runners (`--shard I/N`).
public enum CaseSelection {
    /// A case's place in the run: its suite and its index within the suite.
    public struct Entry: Sendable, Equatable {
        /// Index into the suite list.
        public var suite: Int
        /// Index into that suite's cases.
        public var index: Int
        /// `suite/case`.
        public var id: String

        /// Creates an entry.
        public init(suite: Int, index: Int, id: String) {
            self.suite = suite
            self.index = index
            self.id = id
        }
    }

    /// A shard: the `index`-th (1-based) of `count`.
    public struct Shard: Sendable, Equatable {
        /// 1-based index.
        public var index: Int
        /// Number of shards.
        public var count: Int

        /// Parses `I/N` with 1 <= I <= N.
        public init?(_ text: String) {
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else { return nil }
            index = i
            count = n
        }
    }

    /// Every case of `suites` in run order: suites as given, cases in suite order.
    public static func all(_ suites: [ConformanceSuite]) -> [Entry] {
        suites.enumerated().flatMap { s in s.element.cases.enumerated().map { Entry(suite: s.offset, index: $0.offset, id: s.element.name + "/" + $0.element.name) } }
    }

    /// The entries whose id contains `filter` (case-sensitive), then the shard's part.
    ///
    /// Sharding is round-robin over the entries sorted by id: entry k of the sorted list
    /// belongs to shard `k mod N + 1`. The sort makes it independent of discovery order, so
    /// every runner of a CI matrix computes the same split; round-robin keeps shards within
    /// one case of each other and a spec's cases spread over runners. The union of the N
    /// shards is the whole list and no case is in two shards.
    public static func select(_ entries: [Entry], filter: String? = nil, shard: Shard? = nil) -> [Entry] {
        var list = entries
        if let filter, !filter.isEmpty { list = list.filter { $0.id.contains(filter) } }
        guard let shard, shard.count > 1 else { return list }
        let sorted = list.enumerated().sorted { $0.element.id == $1.element.id ? $0.offset < $1.offset : $0.element.id < $1.element.id }
        let chosen = Set(sorted.enumerated().filter { $0.offset % shard.count == shard.index - 1 }.map { $0.element.offset })
        return list.enumerated().filter { chosen.contains($0.offset) }.map(\.element)
    }

    /// The case ids nearest to a `filter` that matched nothing, best first: ids containing it
    /// in another letter case, then by edit distance to the whole id, its case name or any
    /// `-`/`/`-separated word of it.
    public static func nearest(to filter: String, in entries: [Entry], limit: Int = 5) -> [String] {
        let target = Array(filter.lowercased().unicodeScalars)
        func score(_ id: String) -> Int {
            let lower = id.lowercased()
            if lower.contains(filter.lowercased()) { return 0 }
            var words = [lower, String(lower.split(separator: "/").last ?? "")]
            words += lower.split(whereSeparator: { $0 == "/" || $0 == "-" }).map(String.init)
            var best = Int.max - 1
            for word in words { best = min(best, Suggestions.distance(target, Array(word.unicodeScalars))) }
            return 1 + best
        }
        let scored: [(id: String, score: Int)] = Set(entries.map(\.id)).map { (id: $0, score: score($0)) }
        let ranked = scored.sorted { a, b in a.score == b.score ? a.id < b.id : a.score < b.score }
        return ranked.prefix(limit).map(\.id)
    }
}
