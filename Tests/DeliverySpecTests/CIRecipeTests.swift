import DeliverySpec
import Foundation
import XCTest

/// The CI recipes in docs/ci/ and .pre-commit-hooks.yaml are real files: they load as YAML
/// and every dspec command and option they use exists in the CLI's help.
final class CIRecipeTests: XCTestCase {
    static let recipes = ["docs/ci/github-actions.yml", "docs/ci/github-actions-sharded.yml", "docs/ci/gitlab-ci.yml", ".pre-commit-hooks.yaml"]

    /// Loads YAML with Python (PyYAML) and returns every string in it, flattened.
    func yamlStrings(_ path: String) throws -> [String] {
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", """
            import json, sys, yaml
            doc = yaml.safe_load(open(sys.argv[1]))
            out = []
            def walk(v):
                if isinstance(v, str): out.append(v)
                elif isinstance(v, dict): [walk(x) for x in v.values()]
                elif isinstance(v, list): [walk(x) for x in v]
            walk(doc)
            print(json.dumps(out))
            """, CLIRunner.repositoryRoot.appendingPathComponent(path).path]
        let out = Pipe(), err = Pipe()
        check.standardOutput = out
        check.standardError = err
        try check.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        check.waitUntilExit()
        if errText.contains("No module named 'yaml'") { throw XCTSkip("PyYAML not installed") }
        XCTAssertEqual(check.terminationStatus, 0, "\(path) does not load as YAML: \(errText)")
        return try JSONParser().parseValue([UInt8](data)).arrayValue?.compactMap(\.stringValue) ?? []
    }

    func testRecipesLoadAndUseOnlyRealCommandsAndOptions() throws {
        let help = try CLIRunner.run(["--help"]).stdout
        var checked = 0
        for recipe in Self.recipes {
            let strings = try yamlStrings(recipe)
            XCTAssertFalse(strings.isEmpty, recipe)
            for text in strings {
                // Every "dspec WORD ..." invocation, up to the end of its shell command.
                let pattern = try NSRegularExpression(pattern: #"(?:^|[\s;(|&])dspec ([a-z]+)([^\n;|&)]*)"#)
                for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let command = String(text[Range(match.range(at: 1), in: text)!])
                    let rest = String(text[Range(match.range(at: 2), in: text)!])
                    XCTAssertTrue(help.contains("  \(command) "), "\(recipe): dspec \(command) is not a command")
                    let commandHelp = try CLIRunner.run(["help", command]).stdout
                    for option in rest.split(separator: " ").filter({ $0.hasPrefix("--") }) {
                        let name = option.split(separator: "=").first.map(String.init) ?? String(option)
                        XCTAssertTrue(commandHelp.contains(name), "\(recipe): dspec \(command) has no option \(name)")
                    }
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 8, "the recipes invoke dspec")
    }

    func testCIDocumentLinksEveryRecipe() throws {
        let doc = try String(contentsOf: CLIRunner.repositoryRoot.appendingPathComponent("docs/ci.md"), encoding: .utf8)
        for recipe in Self.recipes { XCTAssertTrue(doc.contains((recipe as NSString).lastPathComponent), recipe) }
    }
}
