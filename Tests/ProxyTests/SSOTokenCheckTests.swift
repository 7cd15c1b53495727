import Foundation
import NIOConcurrencyHelpers
import Testing
import Wire
import _CryptoExtras

@testable import Proxy

/// The ID token checks of an Entra sign-in, one refusal per claim: a token that fails any of them signs nobody in.
@Suite struct SSOTokenCheckTests {
    static let tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
    static let key = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let settings = SSOSettings(
        environment: [
            "MICROSOFT_CLIENT_ID": "ui-app", "MICROSOFT_CLIENT_SECRET": "s", "MICROSOFT_TENANT": tenant,
            "AZURE_AUTHORITY_HOST": "https://login.example",
        ]
    )!

    static var claims: JSON {
        [
            "iss": .string("https://login.example/\(tenant)/v2.0"), "tid": .string(tenant), "aud": "ui-app",
            "nonce": "n-1", "exp": .int(1_800_000_600), "nbf": .int(1_799_999_400), "roles": ["proxy_admin"],
        ]
    }

    static func check(_ claims: JSON, signedBy key: _RSA.Signing.PrivateKey = key) throws -> JSON {
        let keys = JSONWebKeySet(json: ["keys": .array([try JSONWebKeySet.entry(for: Self.key.publicKey, keyID: "k1")])]
        )
        let token = try JSONWebToken(parsing: try JSONWebToken.sign(claims: claims, key: key, keyID: "k1"))
        return try SSOClient.check(token, keys: keys, settings: settings, nonce: "n-1", now: now)
    }

    static func refusal(_ change: (inout JSON) -> Void) throws -> String? {
        var claims = Self.claims
        change(&claims)
        do {
            _ = try check(claims)
            return nil
        } catch let failure as SSOFailure {
            return failure.message
        }
    }

    @Test func aGoodTokenPasses() throws {
        #expect(try Self.check(Self.claims)["roles"] == ["proxy_admin"])
    }

    @Test func eachClaimIsChecked() throws {
        #expect(try Self.refusal { $0["nonce"] = "n-2" }?.contains("nonce mismatch") == true)
        #expect(try Self.refusal { $0["aud"] = "other-app" }?.contains("another application") == true)
        #expect(try Self.refusal { $0["exp"] = .int(1_799_999_000) }?.contains("expired") == true)
        #expect(try Self.refusal { $0["nbf"] = .int(1_800_001_000) }?.contains("not valid yet") == true)
        let evil = "https://evil.example/\(Self.tenant)/v2.0"
        #expect(try Self.refusal { $0["iss"] = .string(evil) }?.contains("authority") == true)
        let otherTenant = "00000000-86f1-41af-91ab-2d7cd011db47"
        let foreign = try Self.refusal {
            $0["tid"] = .string(otherTenant)
            $0["iss"] = .string("https://login.example/\(otherTenant)/v2.0")
        }
        #expect(foreign?.contains("tenant") == true)
        // Within the clock leeway (5 minutes) a just-expired token still passes.
        #expect(try Self.refusal { $0["exp"] = .int(1_799_999_900) } == nil)
    }

    @Test func anotherKeysSignatureIsRefused() throws {
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        #expect(throws: SSOFailure.self) { try Self.check(Self.claims, signedBy: other) }
    }

    @Test func keysAreFetchedOnceAndAgainForANewKeyOrWhenStale() async throws {
        let cache = SSOKeyCache(lifetime: .seconds(600))
        let fetches = KeyFetchCounter()
        let set = JSONWebKeySet(json: ["keys": .array([try JSONWebKeySet.entry(for: Self.key.publicKey, keyID: "k1")])])
        let start = ContinuousClock.now
        func keys(_ kid: String?, at offset: Duration) async throws -> JSONWebKeySet {
            try await cache.keys(for: kid, now: start + offset) { () async throws(SSOFailure) in
                fetches.add()
                return set
            }
        }
        _ = try await keys("k1", at: .zero)
        _ = try await keys("k1", at: .seconds(10))
        _ = try await keys(nil, at: .seconds(20))
        #expect(fetches.value == 1)
        _ = try await keys("k2", at: .seconds(30))  // a key the set lacks: Entra may have rolled its keys
        #expect(fetches.value == 2)
        _ = try await keys("k1", at: .seconds(700))  // stale
        #expect(fetches.value == 3)
    }
}

final class KeyFetchCounter: Sendable {
    private let count = NIOLockedValueBox(0)
    var value: Int { count.withLockedValue { $0 } }
    func add() { count.withLockedValue { $0 += 1 } }
}
