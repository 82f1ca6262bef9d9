import DSJSON

/// Lookup tables (`lookups` in a spec): value translations declared once and used by the
/// `@lookup` mapping directive and the `lookup_table` template helper.
///
/// Renderers receive the plan's tables as the data variable `lookups`: an object of table
/// name -> `{"map": {KEY: VALUE, ...}, "unmatched": "omit" | "default" | "passthrough",
/// "default": VALUE}` (the plan form, every field explicit; `default` only with
/// `unmatched: default`). One implementation serves both engines, so a mapping and a
/// template translate a value the same way.
public enum LookupTables {
    /// The data variable the tables travel in.
    public static let dataName = "lookups"
    /// The `unmatched` policies.
    public static let unmatchedPolicies = ["omit", "default", "passthrough"]

    /// Translates `key` through table `name` of `tables` (the `@lookups` data value).
    ///
    /// A missing key stays missing. A string, number or boolean is looked up by its text (a
    /// number as written in the event, `true`/`false`); a key that is not in the table, and
    /// `null`, an object or an array, take the table's `unmatched` policy: missing (`omit`),
    /// the table's `default`, or the value unchanged (`passthrough`).
    ///
    /// - Returns: `.failure` when there is no such table (lint reports this; the renderer
    ///   refuses such a plan before rendering).
    public static func resolve(_ tables: JSONValue?, _ name: String, _ key: JSONValue?) -> Result<JSONValue?, UnknownTable> {
        guard case .object(let all)? = tables, case .object(let table)? = all[name] else { return .failure(UnknownTable(name: name)) }
        guard let key else { return .success(nil) }
        let text: String?
        switch key {
        case .string(let s): text = s
        case .number(let n): text = n.text
        case .bool(let b): text = b ? "true" : "false"
        default: text = nil
        }
        if let text, case .object(let map)? = table["map"], let hit = map[text] { return .success(hit) }
        switch table["unmatched"] {
        case .string("default")?: return .success(table["default"] ?? .null)
        case .string("passthrough")?: return .success(key)
        default: return .success(nil)
        }
    }

    /// A table name that the plan does not declare.
    public struct UnknownTable: Error, Sendable, Hashable {
        /// The name asked for.
        public var name: String
    }
}
