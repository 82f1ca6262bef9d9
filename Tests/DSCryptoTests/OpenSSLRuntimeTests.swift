import DSCrypto
import Foundation
import XCTest

/// The OpenSSL 3 version check and the "no OpenSSL development files" build contract (issue 19).
final class OpenSSLRuntimeTests: XCTestCase {
    private static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testLoadedLibraryIsOpenSSL3() {
        XCTAssertNil(OpenSSLRuntime.problem(versionNumber: OpenSSLRuntime.versionNumber, versionText: OpenSSLRuntime.versionText))
        XCTAssertEqual(OpenSSLRuntime.versionNumber >> 28, 3)
        XCTAssertTrue(OpenSSLRuntime.versionText.hasPrefix("OpenSSL 3."), OpenSSLRuntime.versionText)
        OpenSSLRuntime.requireSupportedVersion()  // does not stop the process
    }

    func testEveryOpenSSL3ReleaseIsAccepted() {
        for number: UInt in [0x3000_0000, 0x3000_0130, 0x3050_0020, 0x3FFF_FFF0] {
            XCTAssertNil(OpenSSLRuntime.problem(versionNumber: number, versionText: "OpenSSL 3"), String(number, radix: 16))
        }
    }

    func testOtherMajorVersionsAreRefusedWithAClearMessage() throws {
        let old = try XCTUnwrap(OpenSSLRuntime.problem(versionNumber: 0x1010_117F, versionText: "OpenSSL 1.1.1w  11 Sep 2023"))
        XCTAssertEqual(old, "dspec needs OpenSSL 3.x (libcrypto.so.3), but the loaded libcrypto reports \"OpenSSL 1.1.1w  11 Sep 2023\" "
            + "(OpenSSL_version_num 0x1010117f, major version 1). Install the OpenSSL 3 runtime "
            + "(Debian/Ubuntu package libssl3 or libssl3t64) and make sure no other libcrypto.so.3 comes first "
            + "on LD_LIBRARY_PATH.")
        let future = try XCTUnwrap(OpenSSLRuntime.problem(versionNumber: 0x4000_0000, versionText: "OpenSSL 4.0.0"))
        XCTAssertTrue(future.contains("major version 4"), future)
        XCTAssertNotNil(OpenSSLRuntime.problem(versionNumber: 0, versionText: "unknown version"))
    }

    /// Sources never include an OpenSSL header and the package never asks pkg-config, so building
    /// needs only the libcrypto.so.3 runtime (no libssl-dev, no pkg-config).
    func testNoSourceIncludesAnOpenSSLHeaderAndNoPkgConfig() throws {
        let sources = Self.packageRoot.appendingPathComponent("Sources")
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var checked = 0
        for case let url as URL in enumerator where ["swift", "c", "h", "modulemap"].contains(url.pathExtension) {
            let text = try String(contentsOf: url, encoding: .utf8)
            checked += 1
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.range(of: #"^\s*#\s*(include|import)\s*[<"]openssl/"#, options: .regularExpression) != nil {
                XCTFail("\(url.path):\(index + 1) includes an OpenSSL header: \(line)")
            }
        }
        XCTAssertGreaterThan(checked, 10)
        let manifest = try String(contentsOf: Self.packageRoot.appendingPathComponent("Package.swift"), encoding: .utf8)
        XCTAssertFalse(manifest.contains("pkgConfig"), "Package.swift must not use pkg-config")
        XCTAssertFalse(manifest.contains(".systemLibrary"), "Package.swift must not declare a system-library target")
        XCTAssertTrue(manifest.contains(#".linkedLibrary(":libcrypto.so.3""#), "Package.swift must link libcrypto by its soname")
    }

    /// CLibCrypto.h declares exactly what DSCrypto calls: every declared function is used, and
    /// each group of declarations names the manual page it was taken from.
    func testHeaderDeclaresOnlyFunctionsDSCryptoCalls() throws {
        let header = try String(contentsOf: Self.packageRoot.appendingPathComponent("Sources/CLibCrypto/include/CLibCrypto.h"), encoding: .utf8)
        let crypto = Self.packageRoot.appendingPathComponent("Sources/DSCrypto")
        var swift = ""
        for name in try FileManager.default.contentsOfDirectory(atPath: crypto.path) where name.hasSuffix(".swift") {
            swift += try String(contentsOf: crypto.appendingPathComponent(name), encoding: .utf8)
        }
        let declaration = try NSRegularExpression(pattern: #"^[A-Za-z_][A-Za-z0-9_ \*]*?\*?\s*\b([A-Za-z_][A-Za-z0-9_]*)\("#, options: .anchorsMatchLines)
        let range = NSRange(header.startIndex..., in: header)
        let names = declaration.matches(in: header, range: range).compactMap { match in
            Range(match.range(at: 1), in: header).map { String(header[$0]) }
        }.filter { $0 != "pem_password_cb" }
        XCTAssertGreaterThan(names.count, 40, names.description)
        for name in names {
            XCTAssertNotNil(swift.range(of: "\\b\(name)\\(", options: .regularExpression), "CLibCrypto.h declares \(name) but DSCrypto never calls it")
        }
        XCTAssertFalse(header.contains("#include <openssl"))
        for section in header.components(separatedBy: "/* ---- ").dropFirst() {
            let title = section.prefix { $0 != "\n" }
            let pages = title.matches(of: /[A-Za-z_]+\([37]\)/).count
            XCTAssertEqual(pages, 1, "every group in CLibCrypto.h names the one manual page it comes from: \(title)")
        }
    }
}
