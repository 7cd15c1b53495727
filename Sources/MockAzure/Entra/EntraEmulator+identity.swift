import Foundation
import NIOConcurrencyHelpers
import Wire

/// What keyless Azure needs from the tenant: access tokens Azure OpenAI checks, federated service-account tokens
/// (a Kubernetes OIDC issuer's, signed with the tenant's key so the assertion check is a real signature check),
/// managed identity tokens, a token endpoint outage to switch on, and counts of what was issued.
extension EntraEmulator {
    /// The grant a token was issued for: the `flow` counts in `/__mock/entra/stats`.
    public enum Flow: String, Sendable, CaseIterable {
        case clientSecret = "client_secret"
        case clientAssertion = "client_assertion"
        case managedIdentity = "managed_identity"
        case authorizationCode = "authorization_code"
    }

    /// The `client_assertion_type` of a federated token.
    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// Whether `token` is this tenant's, for one of `audiences`, and not expired.
    public func checkAccessToken(_ token: JSONWebToken, audiences: Set<String>, now: Date = Date()) -> Bool {
        guard let keys = try? JSONWebKeySet(json: keySet()), (try? token.verified(by: keys)) != nil else {
            return false
        }
        guard audiences.contains(where: { token.isAudience($0) }) else { return false }
        guard let expires = token.date("exp"), expires > now else { return false }
        if (token.claims["xms_mock_generation"]?.intValue ?? 0) < generation { return false }
        if let notBefore = token.date("nbf"), notBefore > now.addingTimeInterval(300) { return false }
        return true
    }

    /// A projected service-account token as AKS's OIDC issuer makes it for workload identity.
    public func serviceAccountToken(subject: String, lifetime: Int, issuer: String, now: Date = Date()) throws -> String
    {
        let issued = Int(now.timeIntervalSince1970)
        return try sign([
            "aud": .array([.string(EntraConfiguration.assertionAudience)]),
            "iss": .string(issuer),
            "sub": .string(subject),
            "iat": .int(issued),
            "nbf": .int(issued),
            "exp": .int(issued + lifetime),
        ])
    }

    /// Checks a federated client assertion as Entra does against the app's federated identity credential.
    func checkAssertion(_ text: String, now: Date = Date()) throws(EntraError) {
        guard let assertion = try? JSONWebToken(parsing: text) else { throw .malformedAssertion }
        guard let keys = try? JSONWebKeySet(json: keySet()), (try? assertion.verified(by: keys)) != nil else {
            throw .assertionSignature
        }
        let audience =
            assertion.claims["aud"]?.stringValue ?? assertion.claims["aud"]?.arrayValue?.first?.stringValue ?? ""
        guard assertion.isAudience(EntraConfiguration.assertionAudience) else { throw .assertionAudience(audience) }
        let expires = assertion.date("exp")
        let notBefore = assertion.date("nbf")
        if expires.map({ $0 <= now }) ?? true || notBefore.map({ $0 > now.addingTimeInterval(300) }) ?? false {
            throw .assertionExpired(now: now, notBefore: notBefore, expires: expires)
        }
        let subject = assertion.claims["sub"]?.stringValue ?? ""
        if let wanted = configuration.federatedSubject, wanted != subject {
            throw .noFederatedRecord(
                issuer: assertion.claims["iss"]?.stringValue ?? "",
                subject: subject,
                audience: audience
            )
        }
    }

    /// A managed identity's token as IMDS answers it (every number a string): for `resource`, as the user-assigned
    /// identity `clientID` or the system-assigned one.
    func managedIdentityToken(resource: String, clientID: String?, issuer: String, now: Date = Date()) throws -> JSON {
        let client = clientID ?? configuration.managedIdentityClientID
        var answer = try applicationTokenResponse(
            clientID: client,
            resource: resource,
            tenant: "managed-identity",
            issuer: issuer,
            clientAuthenticated: true,
            now: now
        )
        guard case .object(var fields) = answer else { return answer }
        let issued = Int(now.timeIntervalSince1970)
        fields["expires_in"] = .string(String(configuration.tokenLifetime))
        fields["ext_expires_in"] = .string(String(configuration.tokenLifetime))
        fields["expires_on"] = .string(String(issued + configuration.tokenLifetime))
        fields["not_before"] = .string(String(issued))
        fields["resource"] = .string(resource)
        fields["client_id"] = .string(client)
        answer = .object(fields)
        return answer
    }

    // MARK: Outage and counts

    /// Until when the token endpoints answer 503 (nil: they work).
    public var outageUntil: Date? {
        get { identityState.withLockedValue { $0.outageUntil } }
        set { identityState.withLockedValue { $0.outageUntil = newValue } }
    }

    /// Tokens carry the generation they were issued in; `revoke` starts a new one, and the data plane refuses
    /// older tokens (as Azure does once an identity's tokens are revoked).
    public var generation: Int { identityState.withLockedValue { $0.generation } }

    public func revoke() { identityState.withLockedValue { $0.generation += 1 } }

    var inOutage: Bool { outageUntil.map { $0 > Date() } ?? false }

    func count(_ flow: Flow) { identityState.withLockedValue { $0.issued[flow, default: 0] += 1 } }
    func countRefusal(unavailable: Bool) {
        identityState.withLockedValue { state in
            if unavailable { state.unavailable += 1 } else { state.refused += 1 }
        }
    }

    /// `/__mock/entra/stats`: tokens issued per flow, refusals, answers given during an outage.
    public func stats() -> JSON {
        identityState.withLockedValue { state in
            var issued = JSONObject()
            for flow in Flow.allCases { issued[flow.rawValue] = .int(state.issued[flow] ?? 0) }
            return [
                "tokens_issued": .object(issued), "refused": .int(state.refused),
                "unavailable": .int(state.unavailable),
            ]
        }
    }

    public func resetStats() {
        identityState.withLockedValue { state in
            state.issued = [:]
            state.refused = 0
            state.unavailable = 0
        }
    }
}

/// The counts and outage switch behind `EntraEmulator+identity`.
struct IdentityState: Sendable {
    var issued: [EntraEmulator.Flow: Int] = [:]
    var refused = 0
    var unavailable = 0
    var outageUntil: Date?
    var generation = 0
}
