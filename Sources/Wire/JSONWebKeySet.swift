import Crypto
import Foundation
import _CryptoExtras

/// RSA public keys from a JWKS document (`{"keys": [{"kty": "RSA", "kid", "n", "e"}]}`); other key types are skipped.
public struct JSONWebKeySet: Sendable {
    public struct Key: Sendable {
        public let id: String?
        public let publicKey: _RSA.Signing.PublicKey
    }

    public let keys: [Key]

    public init(keys: [Key]) { self.keys = keys }

    public init(json: JSON) {
        guard case .array(let entries)? = json["keys"] else {
            self.keys = []
            return
        }
        self.keys = entries.compactMap { entry in
            guard entry["kty"]?.stringValue == "RSA", entry["use"]?.stringValue ?? "sig" == "sig",
                let n = entry["n"]?.stringValue.flatMap({ Base64URL.decode(Substring($0)) }),
                let e = entry["e"]?.stringValue.flatMap({ Base64URL.decode(Substring($0)) }),
                let key = try? _RSA.Signing.PublicKey(n: n, e: e)
            else { return nil }
            return Key(id: entry["kid"]?.stringValue, publicKey: key)
        }
    }

    /// The JWKS entry publishing `key` (MockAzure's `discovery/v2.0/keys`).
    public static func entry(for key: _RSA.Signing.PublicKey, keyID: String) throws -> JSON {
        let primitives = try key.getKeyPrimitives()
        return [
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": .string(keyID),
            "n": .string(Base64URL.encode(primitives.modulus)),
            "e": .string(Base64URL.encode(primitives.publicExponent)),
        ]
    }
}
