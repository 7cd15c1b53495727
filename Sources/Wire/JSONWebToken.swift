import Crypto
import Foundation
import _CryptoExtras

/// A compact JWS (RFC 7515) signed with RS256, as Entra ID and most OpenID providers issue ID tokens.
///
/// jwt-kit 5 would do this but needs swift-crypto 4 and swift-certificates; RS256 over swift-crypto's RSA is the
/// whole of what an OpenID client and MockAzure's token endpoint need.
public struct JSONWebToken: Sendable {
    public let header: JSON
    public let claims: JSON
    /// The `header.payload` text the signature covers.
    let signingInput: String
    let signature: Data

    /// Splits and decodes a token; the signature is not checked (see `verified(by:)`).
    public init(parsing text: String) throws(JSONWebTokenError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]),
            let claimBytes = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2]),
            let header = try? JSON.parse(headerBytes), let claims = try? JSON.parse(claimBytes),
            case .object = header, case .object = claims
        else { throw .malformed }
        self.header = header
        self.claims = claims
        self.signingInput = parts[0] + "." + parts[1]
        self.signature = signature
    }

    /// The token when its RS256 signature verifies with the key its `kid` names (without a `kid`, the set's only
    /// key: with several, trying each would let a token pick).
    public func verified(by keys: JSONWebKeySet) throws(JSONWebTokenError) -> JSONWebToken {
        guard header["alg"]?.stringValue == "RS256" else { throw .unsupportedAlgorithm }
        let kid = header["kid"]?.stringValue
        let key = kid.map { kid in keys.keys.first { $0.id == kid } } ?? (keys.keys.count == 1 ? keys.keys.first : nil)
        guard let key else { throw .unknownKey }
        let valid = key.publicKey.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: signature),
            for: Data(signingInput.utf8),
            padding: .insecurePKCS1v1_5
        )
        guard valid else { throw .badSignature }
        return self
    }

    /// Signs `claims` with RS256 (MockAzure's token endpoint).
    public static func sign(claims: JSON, key: _RSA.Signing.PrivateKey, keyID: String) throws -> String {
        let header: JSON = ["alg": "RS256", "typ": "JWT", "kid": .string(keyID)]
        let input = Base64URL.encode(header.serializedBytes()) + "." + Base64URL.encode(claims.serializedBytes())
        let signature = try key.signature(for: Data(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }

    /// A numeric date claim (`exp`, `nbf`, `iat`).
    public func date(_ claim: String) -> Date? {
        claims[claim]?.doubleValue.map { Date(timeIntervalSince1970: $0) }
    }

    /// `aud` holds `audience` (a string, or an array of strings).
    public func isAudience(_ audience: String) -> Bool {
        switch claims["aud"] {
        case .string(let value)?: return value == audience
        case .array(let values)?: return values.contains { $0.stringValue == audience }
        default: return false
        }
    }
}

public enum JSONWebTokenError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed
    case unsupportedAlgorithm
    case unknownKey
    case badSignature

    public var description: String {
        switch self {
        case .malformed: "not a compact JWS"
        case .unsupportedAlgorithm: "signed with an algorithm other than RS256"
        case .unknownKey: "signed by a key the issuer does not publish"
        case .badSignature: "signature does not verify"
        }
    }
}
