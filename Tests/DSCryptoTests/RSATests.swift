import XCTest
@testable import DSCrypto

final class RSATests: XCTestCase {
    private let message = Array(#"{"alg":"RS256"}.{"iss":"svc@example.iam.gserviceaccount.com"}"#.utf8)

    func testGenerateSignVerify() throws {
        let key = try RSAPrivateKey.generate()
        let signature = try key.signSHA256(message)
        XCTAssertEqual(signature.count, 256)
        XCTAssertEqual(try key.signSHA256(message), signature, "PKCS#1 v1.5 signing is deterministic")

        let publicKey = try RSAPublicKey(pem: key.publicKeyPEM)
        XCTAssertTrue(publicKey.verifySHA256(signature: signature, message: message))
        XCTAssertTrue(key.publicKey.verifySHA256(signature: signature, message: message))

        var tamperedMessage = message
        tamperedMessage[0] ^= 1
        XCTAssertFalse(publicKey.verifySHA256(signature: signature, message: tamperedMessage))
        var tamperedSignature = signature
        tamperedSignature[100] ^= 0x80
        XCTAssertFalse(publicKey.verifySHA256(signature: tamperedSignature, message: message))
        XCTAssertFalse(publicKey.verifySHA256(signature: signature.dropLast(), message: message))
        XCTAssertFalse(publicKey.verifySHA256(signature: [UInt8](), message: message))

        let otherKey = try RSAPrivateKey.generate(bits: 1024)
        XCTAssertFalse(otherKey.publicKey.verifySHA256(signature: signature, message: message))
    }

    func testSignEmptyAndNonContiguousMessages() throws {
        let key = try RSAPrivateKey(pem: RSATestKeys.pkcs8)
        let empty = try key.signSHA256([UInt8]())
        XCTAssertTrue(key.publicKey.verifySHA256(signature: empty, message: [UInt8]()))
        XCTAssertEqual(try key.signSHA256(message.lazy.map { $0 }), try key.signSHA256(message))
    }

    func testPEMRoundTrip() throws {
        let key = try RSAPrivateKey.generate(bits: 1024)
        let pem = key.privateKeyPEM
        XCTAssertTrue(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8 expected")
        XCTAssertTrue(key.publicKeyPEM.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        let reloaded = try RSAPrivateKey(pem: pem)
        XCTAssertEqual(reloaded.privateKeyPEM, pem)
        XCTAssertEqual(reloaded.publicKeyPEM, key.publicKeyPEM)
        XCTAssertEqual(try reloaded.signSHA256(message), try key.signSHA256(message))
        XCTAssertEqual(try RSAPublicKey(pem: key.publicKeyPEM).pem, key.publicKeyPEM)
    }

    func testLoadsPKCS1AndPKCS8AndMatchesOpenSSLSignature() throws {
        let pkcs1 = try RSAPrivateKey(pem: RSATestKeys.pkcs1)
        let pkcs8 = try RSAPrivateKey(pem: RSATestKeys.pkcs8)
        let expected = try XCTUnwrap(Hex.decode(RSATestKeys.signatureOfABCHex))
        XCTAssertEqual(try pkcs1.signSHA256(Array("abc".utf8)), expected)
        XCTAssertEqual(try pkcs8.signSHA256(Array("abc".utf8)), expected)
        XCTAssertEqual(pkcs1.privateKeyPEM, RSATestKeys.pkcs8 + "\n", "PKCS#1 input is re-exported as PKCS#8")
        XCTAssertEqual(pkcs1.publicKeyPEM, RSATestKeys.publicKey + "\n")
        let publicKey = try RSAPublicKey(pem: RSATestKeys.publicKey)
        XCTAssertTrue(publicKey.verifySHA256(signature: expected, message: Array("abc".utf8)))
        XCTAssertFalse(publicKey.verifySHA256(signature: expected, message: Array("abd".utf8)))
    }

    func testLoadsServiceAccountStyleKeyWithSurroundingText() throws {
        // Service-account JSON stores the PEM with "\n" line breaks and a trailing newline;
        // text around the block must be ignored.
        let key = try RSAPrivateKey(pem: "leading text\n" + RSATestKeys.pkcs8 + "\ntrailing\n")
        XCTAssertEqual(key.publicKeyPEM, RSATestKeys.publicKey + "\n")
    }

    func testInvalidPEMThrowsWithoutEchoingInput() throws {
        let secretBody = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDSECRETSECRET"
        let corrupt = "-----BEGIN PRIVATE KEY-----\n\(secretBody)\n-----END PRIVATE KEY-----\n"
        let truncated = String(RSATestKeys.pkcs8.prefix(400)) + "\n-----END PRIVATE KEY-----\n"
        for pem in [corrupt, truncated, "not a pem at all", "", RSATestKeys.publicKey] {
            XCTAssertThrowsError(try RSAPrivateKey(pem: pem)) { error in
                guard let error = error as? CryptoError else { return XCTFail("expected CryptoError, got \(error)") }
                let description = error.description
                XCTAssertTrue(description.contains("RSA private key"), description)
                XCTAssertFalse(description.contains(secretBody), description)
                XCTAssertFalse(description.contains("MIIC"), description)
                XCTAssertFalse(description.contains("SECRET"), description)
            }
        }
        XCTAssertThrowsError(try RSAPublicKey(pem: RSATestKeys.pkcs8)) { error in
            let description = String(describing: error)
            XCTAssertTrue(description.contains("RSA public key"), description)
            XCTAssertFalse(description.contains("MIIC"), description)
        }
        XCTAssertThrowsError(try RSAPrivateKey.generate(bits: 100))
    }

    func testOpenSSLVerifiesSwiftSignature() throws {
        let tool = try OpenSSLTool.require()
        defer { tool.cleanUp() }
        let key = try RSAPrivateKey.generate()
        try tool.write("pub.pem", Array(key.publicKeyPEM.utf8))
        try tool.write("msg", message)
        try tool.write("sig", try key.signSHA256(message))
        try tool.runChecked(["dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig", "msg"])

        var tampered = message
        tampered[tampered.count - 1] ^= 1
        try tool.write("tampered", tampered)
        XCTAssertNotEqual(try tool.run(["dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig", "tampered"]), 0)
    }

    func testOpenSSLGeneratedKeysInBothFormats() throws {
        let tool = try OpenSSLTool.require()
        defer { tool.cleanUp() }
        try tool.runChecked(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "pkcs8.pem"])
        try tool.runChecked(["rsa", "-in", "pkcs8.pem", "-traditional", "-out", "pkcs1.pem"])
        try tool.runChecked(["pkey", "-in", "pkcs8.pem", "-pubout", "-out", "pub.pem"])
        try tool.write("msg", message)
        try tool.runChecked(["dgst", "-sha256", "-sign", "pkcs8.pem", "-out", "sig", "msg"])

        let pkcs8Text = String(decoding: try tool.read("pkcs8.pem"), as: UTF8.self)
        let pkcs1Text = String(decoding: try tool.read("pkcs1.pem"), as: UTF8.self)
        XCTAssertTrue(pkcs8Text.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        XCTAssertTrue(pkcs1Text.hasPrefix("-----BEGIN RSA PRIVATE KEY-----"))

        let openSSLSignature = try tool.read("sig")
        for text in [pkcs8Text, pkcs1Text] {
            let key = try RSAPrivateKey(pem: text)
            XCTAssertEqual(try key.signSHA256(message), openSSLSignature)
            XCTAssertEqual(key.privateKeyPEM, pkcs8Text)
        }
        let publicKey = try RSAPublicKey(pem: String(decoding: try tool.read("pub.pem"), as: UTF8.self))
        XCTAssertTrue(publicKey.verifySHA256(signature: openSSLSignature, message: message))
    }

    func testRejectsEncryptedAndNonRSAKeysWithoutPrompting() throws {
        let tool = try OpenSSLTool.require()
        defer { tool.cleanUp() }
        try tool.runChecked(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024",
                             "-aes-256-cbc", "-pass", "pass:hunter2", "-out", "encrypted.pem"])
        let encrypted = String(decoding: try tool.read("encrypted.pem"), as: UTF8.self)
        XCTAssertTrue(encrypted.contains("ENCRYPTED PRIVATE KEY"))
        XCTAssertThrowsError(try RSAPrivateKey(pem: encrypted))

        try tool.runChecked(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem"])
        try tool.runChecked(["pkey", "-in", "ec.pem", "-pubout", "-out", "ec-pub.pem"])
        XCTAssertThrowsError(try RSAPrivateKey(pem: String(decoding: try tool.read("ec.pem"), as: UTF8.self))) { error in
            XCTAssertTrue(String(describing: error).contains("not an RSA key"), "\(error)")
        }
        XCTAssertThrowsError(try RSAPublicKey(pem: String(decoding: try tool.read("ec-pub.pem"), as: UTF8.self))) { error in
            XCTAssertTrue(String(describing: error).contains("not an RSA key"), "\(error)")
        }
    }
}
