import Foundation

/// Locations in the repository, resolved from this file so tests run from any directory.
enum RepositoryPaths {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var examples: URL { root.appendingPathComponent("specs/examples") }
    static var invalid: URL { root.appendingPathComponent("specs/invalid") }
    /// The catalog of vendor specs (docs/catalog.md): `specs/catalog` plus `specs/examples`.
    static var catalog: URL { root.appendingPathComponent("specs/catalog") }

    static func files(in dir: URL, suffix: String, excluding: [String] = []) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { n in n.hasSuffix(suffix) && !excluding.contains { n.hasSuffix($0) } }.sorted().map { dir.appendingPathComponent($0) }
    }

    /// Spec files by the layout convention (companions excluded).
    static func specs(in dir: URL) -> [URL] {
        files(in: dir, suffix: ".json", excluding: [".secrets.json", ".settings.json", ".suite.json", ".expected.json", ".schema.json", ".plan.json"])
    }
}
