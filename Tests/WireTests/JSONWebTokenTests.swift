import Foundation
import Testing
import Wire
import _CryptoExtras

/// RS256 tokens as Entra ID signs them: what verifies, and each way a token must not.
@Suite struct JSONWebTokenTests {
    static let key = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let other = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    static func keySet(_ key: _RSA.Signing.PrivateKey = key, id: String = "k1") throws -> JSONWebKeySet {
        JSONWebKeySet(json: ["keys": .array([try JSONWebKeySet.entry(for: key.publicKey, keyID: id)])])
    }

    static let claims: JSON = ["aud": "app", "nonce": "n-1", "exp": .int(2_000_000_000), "roles": ["proxy_admin"]]

    @Test func aSignedTokenVerifiesAndReadsBack() throws {
        let text = try JSONWebToken.sign(claims: Self.claims, key: Self.key, keyID: "k1")
        let token = try JSONWebToken(parsing: text).verified(by: Self.keySet())
        #expect(token.claims["nonce"] == "n-1")
        #expect(token.isAudience("app") && !token.isAudience("other-app"))
        #expect(token.date("exp") == Date(timeIntervalSince1970: 2_000_000_000))
        #expect(token.header["alg"] == "RS256")
    }

    @Test func aChangedClaimFailsTheSignature() throws {
        let text = try JSONWebToken.sign(claims: Self.claims, key: Self.key, keyID: "k1")
        let parts = text.split(separator: ".").map(String.init)
        var forged = Self.claims
        forged["roles"] = ["proxy_admin", "extra"]
        let tampered = parts[0] + "." + Base64URL.encode(forged.serializedBytes()) + "." + parts[2]
        #expect(throws: JSONWebTokenError.badSignature) {
            try JSONWebToken(parsing: tampered).verified(by: Self.keySet())
        }
    }

    @Test func anotherKeyOrKidOrAlgorithmIsRefused() throws {
        let text = try JSONWebToken.sign(claims: Self.claims, key: Self.other, keyID: "k1")
        #expect(throws: JSONWebTokenError.badSignature) { try JSONWebToken(parsing: text).verified(by: Self.keySet()) }
        let unknownKid = try JSONWebToken.sign(claims: Self.claims, key: Self.key, keyID: "k9")
        #expect(throws: JSONWebTokenError.unknownKey) {
            try JSONWebToken(parsing: unknownKid).verified(by: Self.keySet())
        }
        // alg "none" with the signature stripped: the classic downgrade.
        let header: JSON = ["alg": "none", "kid": "k1"]
        let none =
            Base64URL.encode(header.serializedBytes()) + "."
            + Base64URL.encode(Self.claims.serializedBytes()) + "."
        #expect(throws: JSONWebTokenError.unsupportedAlgorithm) {
            try JSONWebToken(parsing: none).verified(by: Self.keySet())
        }
    }

    @Test func malformedTokensAreRefused() {
        for text in ["", "a.b", "a.b.c.d", "!!.??.**", Base64URL.encode(Array("[1]".utf8)) + ".e30.", "e30.W10.AA"] {
            #expect(throws: JSONWebTokenError.malformed) { try JSONWebToken(parsing: text) }
        }
    }

    @Test func pkceChallengeIsRFC7636sExample() {
        // RFC 7636 appendix B.
        #expect(
            Base64URL.pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
                == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        )
    }

    @Test func withoutAKidOnlyASetOfOneKeyVerifies() throws {
        let header: JSON = ["alg": "RS256"]
        let input = Base64URL.encode(header.serializedBytes()) + "." + Base64URL.encode(Self.claims.serializedBytes())
        let signature = try Self.key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        let text = input + "." + Base64URL.encode(signature.rawRepresentation)
        #expect(try JSONWebToken(parsing: text).verified(by: Self.keySet()).claims["nonce"] == "n-1")
        // With several keys a kid-less token would get to choose the one that verifies it.
        let two = JSONWebKeySet(keys: try Self.keySet(Self.other, id: "k0").keys + Self.keySet().keys)
        #expect(throws: JSONWebTokenError.unknownKey) { try JSONWebToken(parsing: text).verified(by: two) }
    }
}
