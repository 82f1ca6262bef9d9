import Foundation

/// An ECMA-262 regular expression (the dialect JSON Schema asks for), translated onto ICU
/// (`NSRegularExpression`). `pattern` is unanchored: a match anywhere in the string counts.
///
/// The translation keeps ECMA-262 meaning where ICU differs:
/// - `\d` `\D` `\w` `\W` are ASCII-only (`[0-9]`, `[A-Za-z0-9_]`), as in ECMA-262;
/// - `\s` `\S` are ECMA-262 white space plus line terminators (which includes U+FEFF);
/// - `$` matches only at the end of the input (ICU's `$` also matches before a final newline);
/// - `\cX` control escapes and `\u{...}` code-point escapes;
/// - `\p{...}` / `\P{...}` property escapes pass through to ICU (same names for the common ones).
///
/// Not supported (documented in docs/contracts.md): named groups with duplicate names, the
/// `v` flag's set operations, and `\b` / `\B` use ICU's Unicode word boundaries.
final class SchemaRegex: @unchecked Sendable {
    let source: String
    let regex: NSRegularExpression

    init?(_ source: String) {
        guard let translated = SchemaRegex.translate(source),
              let re = try? NSRegularExpression(pattern: translated, options: [])
        else { return nil }
        self.source = source
        self.regex = re
    }

    func matches(_ s: String) -> Bool {
        let ns = s as NSString
        return regex.firstMatch(in: s, options: [], range: NSRange(location: 0, length: ns.length)) != nil
    }

    static let ecmaSpace = "\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF"

    /// ECMA-262 source -> ICU source; nil when the pattern is not valid ECMA-262 in ways ICU would accept.
    static func translate(_ source: String) -> String? {
        let chars = Array(source.unicodeScalars)
        var out = ""
        var i = 0
        var inClass = false
        while i < chars.count {
            let c = chars[i]
            if c == "\\" {
                guard i + 1 < chars.count else { return nil }
                let n = chars[i + 1]
                i += 2
                switch n {
                case "d": out += inClass ? "0-9" : "[0-9]"
                case "D": out += inClass ? "[^0-9]" : "[^0-9]"
                case "w": out += inClass ? "A-Za-z0-9_" : "[A-Za-z0-9_]"
                case "W": out += "[^A-Za-z0-9_]"
                case "s": out += inClass ? ecmaSpace : "[" + ecmaSpace + "]"
                case "S": out += "[^" + ecmaSpace + "]"
                case "c":
                    guard i < chars.count, ("a"..."z").contains(chars[i]) || ("A"..."Z").contains(chars[i]) else { return nil }
                    let v = chars[i].value % 32
                    out += String(format: "\\x{%X}", v)
                    i += 1
                case "u":
                    if i < chars.count, chars[i] == "{" {
                        guard let close = chars[i...].firstIndex(of: "}") else { return nil }
                        out += "\\x{" + String(String.UnicodeScalarView(chars[(i + 1)..<close])) + "}"
                        i = close + 1
                    } else {
                        guard i + 4 <= chars.count else { return nil }
                        out += "\\u" + String(String.UnicodeScalarView(chars[i..<(i + 4)]))
                        i += 4
                    }
                case "a", "e", "A", "z", "Z", "Q", "E", "G", "h", "H", "R", "X", "N", "l", "L", "U", "o", "i", "j", "m", "y", "g", "q", "K":
                    // Escapes ICU gives a meaning ECMA-262 (unicode mode) does not.
                    return nil
                default:
                    out.unicodeScalars.append("\\")
                    out.unicodeScalars.append(n)
                }
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
                if c == "[" { out += "\\[" } else if c == "&" || c == "-" && i + 1 < chars.count && chars[i + 1] == "-" { out += "\\" + String(c) } else { out.unicodeScalars.append(c) }
                i += 1
                continue
            }
            switch c {
            case "[":
                // ECMA-262 `[]` matches nothing and `[^]` anything.
                if i + 1 < chars.count, chars[i + 1] == "]" { out += "(?!)"; i += 2; continue }
                if i + 2 < chars.count, chars[i + 1] == "^", chars[i + 2] == "]" { out += "[\\s\\S]"; i += 3; continue }
                inClass = true
                out += "["
                if i + 1 < chars.count, chars[i + 1] == "^" { out += "^"; i += 1 }
            case "(":
                // ECMA-262 groups: (?: (?= (?! (?<= (?<! (?<name>; not inline flags or comments.
                if i + 1 < chars.count, chars[i + 1] == "?" {
                    guard i + 2 < chars.count else { return nil }
                    let k = chars[i + 2]
                    if k == "<" {
                        guard i + 3 < chars.count else { return nil }
                    } else if k != ":" && k != "=" && k != "!" {
                        return nil
                    }
                }
                out += "("
            case "$":
                out += "(?![\\s\\S])"
            default:
                out.unicodeScalars.append(c)
            }
            i += 1
        }
        return inClass ? nil : out
    }
}
