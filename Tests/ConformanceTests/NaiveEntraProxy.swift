import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import TestSupport
import Wire

/// A keyless proxy written the naive ways, for proving the entra checks can fail: it fetches a client-credentials
/// token from MockAzure's Entra per request, or once and never again, and forwards chat requests with it.
struct NaiveEntraProxy: Sendable {
    enum Habit: String, Sendable { case tokenPerRequest, tokenForever }

    let mockBase: String
    let habit: Habit
    let cache = TokenCache()

    actor TokenCache {
        var token: String?
        func remember(_ fetch: () async throws -> String) async throws -> String {
            if let token { return token }
            let fresh = try await fetch()
            token = fresh
            return fresh
        }
    }

    func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let proxy = self
        router.post("**") { request, _ in try await proxy.forward(request) }
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onServerRunning($0.localAddress?.port ?? 0) }
        )
    }

    func fetchToken() async throws -> String {
        var request = HTTPClientRequest(url: mockBase + "/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(
            ByteBuffer(
                string: "grant_type=client_credentials&client_id=naive-proxy&client_secret=naive-secret"
                    + "&scope=https%3A%2F%2Fcognitiveservices.azure.com%2F.default"
            )
        )
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return try JSON.parse(body.readableBytesView)["access_token"]?.stringValue ?? ""
    }

    func forward(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 8 << 20)
        let model = (try? JSON.parse(body.readableBytesView))?["model"]?.stringValue ?? "gpt-4o"
        let token =
            switch habit {
            case .tokenPerRequest: (try? await fetchToken()) ?? ""
            case .tokenForever: try await cache.remember { try await fetchToken() }
            }
        var outgoing = HTTPClientRequest(
            url: mockBase + "/openai/deployments/\(model)/chat/completions?api-version=2025-01-01-preview"
        )
        outgoing.method = .POST
        outgoing.headers.add(name: "content-type", value: "application/json")
        outgoing.headers.add(name: "authorization", value: "Bearer \(token)")
        outgoing.body = .bytes(body)
        let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(30))
        let answer = try await response.body.collect(upTo: 8 << 20)
        return Response(
            status: .init(code: Int(response.status.code)),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: answer)
        )
    }
}
