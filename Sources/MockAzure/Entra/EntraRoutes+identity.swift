import Foundation
import HTTPTypes
import Hummingbird
import Wire

/// The managed identity endpoints (IMDS and App Service's) and the control calls tests use for keyless Azure:
/// mint a workload identity service-account token, switch a token endpoint outage on, read what was issued.
extension EntraRoutes {
    func registerIdentity(on router: Router<BasicRequestContext>) {
        let routes = self
        let emulator = self.emulator
        router.get("/metadata/identity/oauth2/token") { request, _ in
            guard request.headers[HTTPField.Name("Metadata")!]?.lowercased() == "true" else {
                return EntraRoutes.imdsError(400, "invalid_request", "Required metadata header not specified")
            }
            return routes.managedIdentity(request, version: nil)
        }
        router.get("/msi/token") { request, _ in
            guard request.headers[HTTPField.Name("X-IDENTITY-HEADER")!] == emulator.configuration.identityHeader else {
                return EntraRoutes.json(401, ["statusCode": 401, "message": "Unauthorized"])
            }
            return routes.managedIdentity(request, version: "2019-08-01")
        }
        router.post("/__mock/entra/service-account-token") { request, _ in
            let query = request.uri.queryParameters
            let subject = query.get("subject") ?? "system:serviceaccount:default:litellm-proxy"
            let lifetime = query.get("lifetime", as: Int.self) ?? 3600
            let token = try emulator.serviceAccountToken(
                subject: String(subject),
                lifetime: lifetime,
                issuer: EntraRoutes.base(request) + "/kubernetes-oidc"
            )
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: .init(string: token))
            )
        }
        router.post("/__mock/entra/outage") { request, _ in
            let seconds = request.uri.queryParameters.get("seconds", as: Double.self) ?? 10
            emulator.outageUntil = Date().addingTimeInterval(seconds)
            return Response(status: .noContent)
        }
        router.delete("/__mock/entra/outage") { _, _ in
            emulator.outageUntil = nil
            return Response(status: .noContent)
        }
        router.post("/__mock/entra/revoke") { _, _ in
            emulator.revoke()
            return Response(status: .noContent)
        }
        router.get("/__mock/entra/stats") { _, _ in
            EntraRoutes.json(200, emulator.stats())
        }
        router.delete("/__mock/entra/stats") { _, _ in
            emulator.resetStats()
            return Response(status: .noContent)
        }
    }

    /// A managed identity token for `resource`, as the user-assigned `client_id` when one is named.
    func managedIdentity(_ request: Request, version: String?) -> Response {
        let query = request.uri.queryParameters
        if emulator.inOutage {
            emulator.countRefusal(unavailable: true)
            return EntraRoutes.imdsError(503, "temporarily_unavailable", "The managed identity endpoint is unavailable")
        }
        guard query.get("api-version") != nil else {
            return EntraRoutes.imdsError(400, "invalid_request", "Required query variable 'api-version' is missing")
        }
        guard let resource = query.get("resource"), !resource.isEmpty else {
            return EntraRoutes.imdsError(400, "invalid_request", "Required query variable 'resource' is missing")
        }
        do {
            let answer = try emulator.managedIdentityToken(
                resource: String(resource),
                clientID: query.get("client_id").map { String($0) },
                issuer: EntraRoutes.base(request) + "/managed-identity/v2.0"
            )
            emulator.count(.managedIdentity)
            return EntraRoutes.json(200, answer)
        } catch {
            return EntraRoutes.imdsError(500, "unknown", "Token signing failed")
        }
    }

    static func imdsError(_ status: Int, _ error: String, _ description: String) -> Response {
        json(status, ["error": .string(error), "error_description": .string(description)])
    }
}
