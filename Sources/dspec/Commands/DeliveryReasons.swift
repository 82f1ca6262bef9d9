import DeliverySpec
import Foundation

/// The end-of-run account of what went wrong in `dspec deliver`: dead-letter and retry
/// causes grouped with counts, and where the dead letters went. Printed after every run's
/// summary, whether or not `--dead-letter` was given.
enum DeliveryReasons {
    /// Groups listed per tally; the rest are summed on one line.
    static let shownGroups = 10

    static func text(_ ledger: DeliveryLedger, deadLettered: Int, deadLetterPath: String?) -> String {
        var text = ""
        text += section("dead-letter reasons", ledger.deadLetterCauses)
        text += section("retry reasons", ledger.retryCauses)
        if deadLettered > 0 {
            if let deadLetterPath {
                text += "dead letters written to \(absolute(deadLetterPath))\n"
            } else {
                text += "dead letters not kept (pass --dead-letter FILE to keep them)\n"
            }
        }
        return text
    }

    static func json(_ ledger: DeliveryLedger, deadLettered: Int, deadLetterPath: String?) -> [(String, JSONValue)] {
        func groups(_ tally: ReasonTally) -> JSONValue {
            .array(tally.grouped.map { .object(JSONObject([("reason", .string($0.cause)), ("count", .int($0.count))])) })
        }
        return [("dead_letter_reasons", groups(ledger.deadLetterCauses)), ("retry_reasons", groups(ledger.retryCauses)),
                ("dead_letter_file", deadLettered > 0 ? deadLetterPath.map { .string(absolute($0)) } ?? .null : .null)]
    }

    private static func section(_ title: String, _ tally: ReasonTally) -> String {
        let groups = tally.grouped
        guard !groups.isEmpty else { return "" }
        var text = "\(title):\n"
        for g in groups.prefix(shownGroups) { text += "  \(g.count) x \(g.cause)\n" }
        if groups.count > shownGroups {
            let rest = groups.dropFirst(shownGroups)
            text += "  \(rest.map(\.count).reduce(0, +)) x \(rest.count) other reasons\n"
        }
        return text
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
