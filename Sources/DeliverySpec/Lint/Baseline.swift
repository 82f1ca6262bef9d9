import DSCore
import DSJSON
import Foundation

/// A recorded set of accepted findings (`dspec lint --write-baseline FILE`). With
/// `--baseline FILE` only findings whose fingerprint is not recorded are reported, so a
/// team can adopt a stricter rule without fixing every old spec first.
public struct Baseline: Sendable {
    /// Fingerprints of accepted findings.
    public var fingerprints: Set<String>

    /// Creates a baseline.
    public init(fingerprints: Set<String>) {
        self.fingerprints = fingerprints
    }

    /// The baseline of a lint run (suppressed findings excluded: they are already accepted in the spec).
    public init(results: [LintFileResult]) {
        var set = Set<String>()
        for file in results {
            for d in file.diagnostics where d.suppression == nil { set.insert(Fingerprint.of(d, in: file.document)) }
        }
        fingerprints = set
    }

    /// Reads a baseline file.
    public init(contentsOf path: String) throws {
        let source = try SourceLoader.load(path)
        let value = try JSONParser().parseValue(source.bytes)
        guard let list = value["fingerprints"]?.arrayValue else {
            throw SourceLoader.Failure(path: path, message: "not a dspec baseline (expected {\"fingerprints\": [...]})")
        }
        fingerprints = Set(list.compactMap(\.stringValue))
    }

    /// The file form: sorted, so baselines diff cleanly in review.
    public var fileContents: String {
        let doc: JSONValue = ["version": 1, "tool": "dspec", "fingerprints": .array(fingerprints.sorted().map { .string($0) })]
        return JSONWriter.string(doc, style: .pretty) + "\n"
    }

    /// Results with baselined findings removed; returns how many were removed.
    public func filter(_ results: [LintFileResult]) -> (results: [LintFileResult], baselined: Int) {
        var removed = 0
        let kept = results.map { file -> LintFileResult in
            var copy = file
            copy.diagnostics = file.diagnostics.filter { d in
                let known = fingerprints.contains(Fingerprint.of(d, in: file.document))
                if known { removed += 1 }
                return !known
            }
            return copy
        }
        return (kept, removed)
    }
}
