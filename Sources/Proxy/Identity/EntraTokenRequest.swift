import Foundation
import Wire

/// One token request for a credential, and the reading of its answer: no I/O, so each flow's wire form is tested
/// as a value. Client secret and client assertion post Entra's client credentials grant to
/// `{authority}/{tenant}/oauth2/v2.0/token`; a managed identity asks IMDS (`Metadata: true`, api-version 2018-02-01)
/// or App Service's endpoint (`X-IDENTITY-HEADER`, api-version 2019-08-01) for the scope's resource.
public struct EntraTokenRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?

    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// The request for `credential`; a client assertion is passed in, read by the caller just before.
    public init(_ credential: EntraCredential, assertion: String? = nil) {
        switch credential.source {
        case .clientSecret, .clientAssertion:
            var form: [(String, String?)] = [
                ("client_id", credential.clientID ?? ""), ("grant_type", "client_credentials"),
                ("scope", credential.scope),
            ]
            if case .clientSecret(let secret) = credential.source {
                form.append(("client_secret", secret))
            } else {
                form += [("client_assertion_type", Self.assertionType), ("client_assertion", assertion ?? "")]
            }
            method = "POST"
            url = credential.authorityHost + "/" + (credential.tenantID ?? "organizations") + "/oauth2/v2.0/token"
            headers = [("content-type", "application/x-www-form-urlencoded"), ("accept", "application/json")]
            body = Array(FormEncoding.encode(form).utf8)
        case .managedIdentity(let endpoint):
            var query: [(String, String?)] = [("resource", Self.resource(of: credential.scope))]
            if let client = credential.clientID { query.append(("client_id", client)) }
            method = "GET"
            body = nil
            switch endpoint {
            case .imds(let host):
                url = host + "/metadata/identity/oauth2/token?api-version=2018-02-01&" + FormEncoding.encode(query)
                headers = [("metadata", "true")]
            case .appService(let base, let header):
                url = base + (base.contains("?") ? "&" : "?") + "api-version=2019-08-01&" + FormEncoding.encode(query)
                headers = [("x-identity-header", header)]
            }
        }
    }

    /// The resource a managed identity is asked for: the scope without `/.default`.
    static func resource(of scope: String) -> String {
        scope.hasSuffix("/.default") ? String(scope.dropLast("/.default".count)) : scope
    }

    /// The token in an answer and how long it lives: `expires_in` (seconds, a number or a string, as Entra and IMDS
    /// give it), else `expires_on` (epoch seconds, App Service's).
    public static func token(status: Int, body: [UInt8], now: Date = Date()) throws(EntraTokenError) -> (
        value: String, lifetime: Duration
    ) {
        guard status == 200 else { throw EntraTokenError.refusal(status: status, body: body) }
        guard let json = try? JSON.parse(body), let value = json["access_token"]?.stringValue, !value.isEmpty else {
            throw EntraTokenError.unavailable("the token endpoint's answer holds no access_token")
        }
        func seconds(_ name: String) -> Double? {
            json[name]?.doubleValue ?? json[name]?.stringValue.flatMap(Double.init)
        }
        let lifetime: Double
        if let expiresIn = seconds("expires_in") {
            lifetime = expiresIn
        } else if let expiresOn = seconds("expires_on") {
            lifetime = expiresOn - now.timeIntervalSince1970
        } else {
            throw EntraTokenError.unavailable("the token endpoint's answer says no expiry")
        }
        guard lifetime > 0 else { throw EntraTokenError.unavailable("the token endpoint gave an expired token") }
        return (value, .milliseconds(Int64(lifetime * 1000)))
    }
}
