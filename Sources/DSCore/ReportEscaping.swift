/// Escaping shared by every report format that several commands emit (lint, test, diff),
/// so the rules live in one place.
public enum ReportEscaping {
    /// A GitHub Actions workflow-command message: `%`, CR and LF escaped.
    public static func workflowData(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A workflow-command property value: as data, plus `:` and `,`.
    public static func workflowProperty(_ s: String) -> String {
        var out = ""
        for c in workflowData(s).unicodeScalars {
            switch c {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// XML 1.0 text or attribute value: markup characters as entities, line breaks and tabs
    /// as character references (so attributes keep them), characters XML 1.0 cannot carry
    /// replaced by U+FFFD.
    public static func xml(_ s: String) -> String {
        markup(s, apostrophe: "&apos;") { c in
            switch c {
            case "\n": return "&#10;"
            case "\r": return "&#13;"
            case "\t": return "&#9;"
            default: return c.value < 0x20 || (0xFFFE...0xFFFF).contains(c.value) ? "\u{FFFD}" : nil
            }
        }
    }

    /// HTML text or attribute value (the HTML reports of `dspec test` and `dspec diff`):
    /// `& < > " '` as entities, NUL as U+FFFD.
    public static func html(_ s: String) -> String {
        markup(s, apostrophe: "&#39;") { $0 == "\u{0}" ? "\u{FFFD}" : nil }
    }

    /// `& < > "` as entities, `'` as `apostrophe`, and what `other` says for any other scalar
    /// (nil: the scalar as it is). The one escaping loop behind `xml` and `html`.
    private static func markup(_ s: String, apostrophe: String, other: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += apostrophe
            default:
                if let replacement = other(c) { out += replacement } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }
}
