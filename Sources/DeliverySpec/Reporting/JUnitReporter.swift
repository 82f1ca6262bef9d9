import DSCore

/// JUnit XML (the format GitLab, Jenkins and most CI systems display): one `testsuite` per
/// run, one `testcase` per spec and rule, `classname` being the spec path. A clean spec is
/// one passing `lint` case, so every spec shows up.
public struct JUnitReporter: Sendable {
    /// Creates a reporter.
    public init() {}

    /// XML-escapes text and attribute values.
    public static func escape(_ s: String) -> String { ReportEscaping.xml(s) }

    /// The JUnit document for a lint run.
    public func format(_ results: [LintFileResult], suiteName: String = "dspec lint") -> String {
        var cases: [String] = []
        var failures = 0
        for file in results {
            let active = file.diagnostics.filter { $0.suppression == nil }
            let classname = JUnitReporter.escape(Fingerprint.normalizedPath(file.path))
            if active.isEmpty {
                cases.append("    <testcase classname=\"\(classname)\" name=\"lint\"/>")
                continue
            }
            var byRule: [String: [Diagnostic]] = [:]
            for d in active { byRule[d.code, default: []].append(d) }
            for code in byRule.keys.sorted() {
                let findings = byRule[code]!
                let isFailure = findings.contains { $0.severity == .error }
                let body = findings.map { d in
                    "\(d.path ?? file.path):\(d.location?.description ?? "-"): \(d.severity.rawValue)[\(d.code)]: \(d.message)"
                }.joined(separator: "\n")
                let name = JUnitReporter.escape(code)
                if isFailure {
                    failures += 1
                    cases.append("""
                        <testcase classname="\(classname)" name="\(name)">
                          <failure message="\(JUnitReporter.escape(findings[0].message))" type="\(name)">\(JUnitReporter.escape(body))</failure>
                        </testcase>
                    """)
                } else {
                    cases.append("""
                        <testcase classname="\(classname)" name="\(name)">
                          <system-out>\(JUnitReporter.escape(body))</system-out>
                        </testcase>
                    """)
                }
            }
        }
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="\(JUnitReporter.escape(suiteName))" tests="\(cases.count)" failures="\(failures)">
          <testsuite name="\(JUnitReporter.escape(suiteName))" tests="\(cases.count)" failures="\(failures)" errors="0" skipped="0">
        \(cases.joined(separator: "\n"))
          </testsuite>
        </testsuites>

        """
    }
}
