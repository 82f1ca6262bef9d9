import DSCompiler
import DSCore
import Foundation
import XCTest

/// Findings that must not appear for valid specs.
final class LintFalsePositiveTests: XCTestCase {
    func codes(_ text: String) -> [String] {
        let source = SourceFile(path: "spec.json", text: text)
        let diagnostics = DiagnosticCollector(source: source)
        _ = SpecCompiler().compile(source, diagnostics: diagnostics)
        return diagnostics.sorted.map(\.code)
    }

    /// A setting read only by `auth.token_url` is used (the token fetcher resolves it), for
    /// each auth type that has a token URL; an undeclared one there is reported.
    func testSettingUsedOnlyInTokenURLIsUsed() {
        let auths = [
            #"{"type": "oauth2_client_credentials", "token_url": "https://{{@settings.tenant}}.auth.example.com/oauth/token", "client_id": "id", "client_secret": "{{@secrets.s}}"}"#,
            #"{"type": "oauth2_refresh_token", "token_url": "https://{{@settings.tenant}}.auth.example.com/oauth/token", "client_id": "id", "refresh_token": "{{@secrets.s}}"}"#,
            #"{"type": "service_account", "key": "{{@secrets.s}}", "scope": "x", "token_url": "https://{{@settings.tenant}}.auth.example.com/token"}"#,
        ]
        for auth in auths {
            let spec = """
            {"dspec": 1, "name": "t", "settings": {"tenant": {"type": "string", "required": true}}, "secrets": {"s": {}},
             "endpoint": {"url": "https://api.example.com/e"}, "auth": \(auth), "payload": {"format": "canonical"}}
            """
            XCTAssertEqual(codes(spec), [], auth)
            let undeclared = spec.replacingOccurrences(of: #""settings": {"tenant": {"type": "string", "required": true}}, "#, with: "")
            XCTAssertEqual(codes(undeclared), ["DS0303"], auth)
        }
    }

    /// Several secrets during a rotation: the presets that carry a signature list know their
    /// joiner; others must name one (DS0602); each previous secret is a checked reference.
    func testRotationSecrets() {
        func spec(_ signing: String) -> String {
            """
            {"dspec": 1, "name": "t", "secrets": {"k": {}, "old": {}}, "endpoint": {"url": "https://api.example.com/e"},
             "payload": {"format": "canonical", "normalize": "javascript"}, "signing": \(signing)}
            """
        }
        XCTAssertEqual(codes(spec(#"{"preset": "stripe", "secret": "{{@secrets.k}}", "previous_secrets": ["{{@secrets.old}}"]}"#)), [])
        XCTAssertEqual(codes(spec(#"{"preset": "standard-webhooks", "secret": "{{@secrets.k}}", "previous_secrets": ["{{@secrets.old}}"]}"#)), [])
        XCTAssertEqual(codes(spec(#"{"preset": "github", "secret": "{{@secrets.k}}", "previous_secrets": ["{{@secrets.old}}"]}"#)), ["DS0602"])
        XCTAssertEqual(codes(spec(#"{"preset": "github", "secret": "{{@secrets.k}}", "previous_secrets": ["{{@secrets.old}}"], "signature_joiner": ",sha256="}"#)), [])
        XCTAssertEqual(codes(spec(#"{"preset": "stripe", "secret": "{{@secrets.k}}", "previous_secrets": ["{{@secrets.gone}}"]}"#)).sorted(), ["DS0301", "DS0302"])
        XCTAssertEqual(codes(spec(#"{"preset": "stripe", "secret": "{{@secrets.k}}", "key_encoding": "hex", "previous_secrets": ["{{@secrets.old}}"]}"#)), [])
    }

    /// A service account acting for a user: `subject` is a template whose setting counts as used.
    func testServiceAccountSubject() {
        XCTAssertEqual(codes("""
        {"dspec": 1, "name": "t", "settings": {"user": {"type": "string", "required": true}}, "secrets": {"s": {}},
         "endpoint": {"url": "https://api.example.com/e"}, "payload": {"format": "canonical"},
         "auth": {"type": "service_account", "key": "{{@secrets.s}}", "scope": "x", "subject": "{{@settings.user}}"}}
        """), [])
    }

    /// hmac-sha384 is a supported algorithm, not an unknown word with a suggestion.
    func testHMACSHA384IsSupported() {
        XCTAssertEqual(codes("""
        {"dspec": 1, "name": "t", "secrets": {"k": {}}, "endpoint": {"url": "https://api.example.com/e"},
         "payload": {"format": "canonical", "normalize": "javascript"},
         "signing": {"algorithm": "hmac-sha384", "secret": "{{@secrets.k}}", "header": "X-Sig"}}
        """), [])
    }
}
