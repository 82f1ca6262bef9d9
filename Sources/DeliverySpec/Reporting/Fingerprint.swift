import DSCore
import DSCrypto
import DSJSON

/// Stable identities for findings, used by baselines and by SARIF `partialFingerprints`.
///
/// A fingerprint is the rule code, the JSON pointer and a hash of the offending value, not
/// the message or the line: inserting an unrelated line above a finding, or rewording a
/// message, keeps it equal; changing the offending value makes it a new finding.
public enum Fingerprint {
    /// The fingerprint of a diagnostic in a parsed document (`document` may be nil for
    /// files that did not parse; then the message stands in for the value).
    public static func of(_ d: Diagnostic, in document: JSONNode?) -> String {
        var material = d.code + "\u{0}" + (d.path.map(normalizedPath) ?? "") + "\u{0}" + (d.pointer ?? "") + "\u{0}"
        if let pointer = d.pointer, let node = document?.resolve(pointer) {
            material += JSONWriter.string(node.value, style: .compactSorted)
        } else {
            material += d.message
        }
        return String(Digest.sha256Hex(material).prefix(32))
    }

    /// Paths compared without a leading `./` so `specs/a.json` and `./specs/a.json` match.
    static func normalizedPath(_ path: String) -> String {
        path.hasPrefix("./") ? String(path.dropFirst(2)) : path
    }
}
