import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// The Microsoft Graph calls a sign-in makes — `/v1.0/me`, `/v1.0/me/memberOf` — and OpenID's userinfo, answered
/// for the access tokens the token endpoint issued, in Graph's shapes and with Graph's `InvalidAuthenticationToken`
/// for any other token.
extension EntraRoutes {
    static let graphMetadata = "https://graph.microsoft.com/v1.0/$metadata"
    static let graphContentType =
        "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8"

    func registerGraph(on router: Router<BasicRequestContext>) {
        let routes = self
        router.get("/v1.0/me") { request, _ in
            routes.graphCall(request) { user, _ in EntraRoutes.me(user) }
        }
        router.get("/v1.0/me/memberOf") { request, _ in
            routes.graphCall(request) { user, _ in
                .object([
                    "@odata.context": .string(EntraRoutes.graphMetadata + "#directoryObjects"),
                    "value": .array(user.groups.map(EntraRoutes.group)),
                ])
            }
        }
        router.get("/oidc/userinfo") { request, _ in
            routes.graphCall(request) { user, clientID in EntraRoutes.userinfo(user, clientID: clientID) }
        }
    }

    /// Answers with `answer(user, clientID)` for a user's access token; Graph's refusal otherwise.
    func graphCall(_ request: Request, _ answer: (EntraUser, String) -> JSON) -> Response {
        let requestID = UUID().uuidString.lowercased()
        let clientRequestID = HTTPField.Name("client-request-id").flatMap { request.headers[$0] } ?? requestID
        var headers = [("request-id", requestID), ("client-request-id", clientRequestID)]
        func refuse(_ status: Int, _ code: String, _ message: String) -> Response {
            let date = String(ISO8601DateFormatter().string(from: Date()).dropLast())
            let body: JSON = [
                "error": [
                    "code": .string(code),
                    "message": .string(message),
                    "innerError": [
                        "date": .string(date),
                        "request-id": .string(requestID),
                        "client-request-id": .string(clientRequestID),
                    ],
                ]
            ]
            if status == 401 {
                let authorize = EntraRoutes.base(request) + "/common/oauth2/authorize"
                headers.append(
                    (
                        "www-authenticate",
                        "Bearer realm=\"\", authorization_uri=\"\(authorize)\", "
                            + "client_id=\"\(EntraEmulator.graphAudience)\""
                    )
                )
            }
            return EntraRoutes.json(status, body, headers)
        }
        let authorization = request.headers[.authorization] ?? ""
        var token = ""
        if authorization.lowercased().hasPrefix("bearer ") {
            token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
        }
        guard !token.isEmpty else { return refuse(401, "InvalidAuthenticationToken", "Access token is empty.") }
        switch emulator.bearer(token) {
        case .user(let user, let clientID):
            return EntraRoutes.json(200, answer(user, clientID), headers, contentType: EntraRoutes.graphContentType)
        case .application:
            return refuse(400, "BadRequest", "/me request is only valid with delegated authentication flow.")
        case .expired:
            return refuse(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
        case .unknown:
            return refuse(401, "InvalidAuthenticationToken", "Access token validation failure.")
        }
    }

    /// Graph's `user` entity with its default properties.
    static func me(_ user: EntraUser) -> JSON {
        let object: JSONObject = [
            "@odata.context": .string(graphMetadata + "#users/$entity"),
            "businessPhones": .array([]),
            "displayName": .string(user.displayName),
            "givenName": .string(user.givenName),
            "jobTitle": .null,
            "mail": .string(user.username),
            "mobilePhone": .null,
            "officeLocation": .null,
            "preferredLanguage": .null,
            "surname": .string(user.surname),
            "userPrincipalName": .string(user.username),
            "id": .string(user.objectID),
        ]
        return .object(object)
    }

    /// A security group as `memberOf` lists it.
    static func group(_ group: EntraUser.Group) -> JSON {
        let object: JSONObject = [
            "@odata.type": .string("#microsoft.graph.group"),
            "id": .string(group.id),
            "deletedDateTime": .null,
            "classification": .null,
            "createdDateTime": .string("2024-01-01T00:00:00Z"),
            "description": .null,
            "displayName": .string(group.displayName),
            "groupTypes": .array([]),
            "mail": .null,
            "mailEnabled": .bool(false),
            "mailNickname": .string(group.displayName),
            "securityEnabled": .bool(true),
            "visibility": .null,
        ]
        return .object(object)
    }

    /// OpenID Connect's userinfo: `sub` is the ID token's (pairwise for the application that signed the user in).
    static func userinfo(_ user: EntraUser, clientID: String) -> JSON {
        let object: JSONObject = [
            "sub": .string(EntraEmulator.pairwiseSubject(user.objectID, clientID: clientID)),
            "name": .string(user.displayName),
            "family_name": .string(user.surname),
            "given_name": .string(user.givenName),
            "picture": .string("https://graph.microsoft.com/v1.0/me/photo/$value"),
            "email": .string(user.username),
        ]
        return .object(object)
    }
}
