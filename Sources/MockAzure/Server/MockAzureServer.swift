import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Wire

/// MockAzure over HTTP: Azure OpenAI's paths and Content Safety's answered by a `MockAzureEngine`, the `/__mock/`
/// control API, and Entra ID's sign-in and token endpoints with the Graph calls a sign-in makes (`EntraRoutes`).
/// Build the application and run it as a Service; with port 0 read the bound port in `onServerRunning`.
public struct MockAzureServer: Sendable {
    public let engine: MockAzureEngine
    /// The emulated Entra ID tenant (signing key, codes, issued tokens), from `engine.configuration.entra`.
    public let entra: EntraEmulator
    public let logger: Logger

    public init(engine: MockAzureEngine, logger: Logger = Logger(label: "mock-azure")) {
        self.engine = engine
        self.entra = engine.entra
        self.logger = logger
    }

    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        Application(
            router: buildRouter(),
            configuration: .init(
                address: .hostname(engine.configuration.host, port: engine.configuration.port),
                serverName: nil
            ),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    public func buildRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: AzureNotFoundMiddleware())
        let engine = self.engine
        router.get("/__mock/journal") { request, _ in
            var entries = engine.journal.entries
            if let limit = request.uri.queryParameters.get("limit", as: Int.self), limit >= 0 {
                entries = Array(entries.suffix(limit))
            }
            return MockAzureServer.json(200, ["entries": .array(entries.map(\.json))])
        }
        router.delete("/__mock/journal") { _, _ in
            engine.journal.clear()
            return Response(status: .noContent)
        }
        router.post("/__mock/reset") { _, _ in
            engine.journal.clear()
            engine.sequencer.reset()
            return Response(status: .noContent)
        }
        router.get("/__mock/scenarios") { _, _ in
            MockAzureServer.json(
                200,
                [
                    "scenarios": .array(engine.fixtures.scenarios.map(\.summary)),
                    "deployments": .array(
                        engine.fixtures.deployments.values.sorted { $0.name < $1.name }.map(\.summary)
                    ),
                ]
            )
        }
        router.get("/__mock/health") { _, _ in
            MockAzureServer.json(
                200,
                [
                    "status": "ok", "open_streams": .int(engine.openStreams),
                    "aborted_streams": .int(engine.abortedStreams),
                ]
            )
        }
        for method in [HTTPRequest.Method.post, .get, .delete] {
            router.on("/openai/**", method: method) { request, context in
                try await handle(request, context: context)
            }
        }
        // Content Safety's text operations (`text:shieldPrompt`, `text:analyze`) share the host and the handler.
        router.post("/contentsafety/**") { request, context in
            try await handle(request, context: context)
        }
        EntraRoutes(emulator: entra).register(on: router)
        return router
    }

    func handle(_ request: Request, context: BasicRequestContext) async throws -> Response {
        var tooLarge = false
        var bytes: [UInt8] = []
        do {
            let buffer = try await request.body.collect(upTo: engine.configuration.maximumBodySize)
            bytes = Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            tooLarge = true
        }
        let incoming = IncomingRequest(
            method: request.method.rawValue,
            path: request.uri.path,
            query: request.uri.query ?? "",
            headers: request.headers.map { ($0.name.canonicalName, $0.value) },
            body: bytes,
            bodyTooLarge: tooLarge
        )
        let reply = engine.handle(incoming)
        logger.debug(
            "mock request",
            metadata: ["path": "\(incoming.path)", "status": "\(reply.status.map(String.init) ?? "hang")"]
        )
        return try await render(reply)
    }

    /// Thrown inside a response body to drop the connection without ending the body.
    struct SimulatedDisconnect: Error {}

    func render(_ reply: MockReply) async throws -> Response {
        switch reply {
        case .body(let status, let headers, let text):
            return Response(
                status: .init(code: status),
                headers: MockAzureServer.fields(headers),
                body: .init(byteBuffer: ByteBuffer(bytes: text))
            )
        case .truncatedBody(let status, let headers, let text, let sentBytes):
            let part = ByteBuffer(bytes: text.prefix(sentBytes))
            return Response(
                status: .init(code: status),
                headers: MockAzureServer.fields(headers),
                body: .init(contentLength: text.count) { writer in
                    try await writer.write(part)
                    try await Task.sleep(for: .milliseconds(50))
                    throw SimulatedDisconnect()
                }
            )
        case .stream(let status, let headers, let frames, let ending):
            let engine = self.engine
            return Response(
                status: .init(code: status),
                headers: MockAzureServer.fields(headers),
                body: .init { writer in
                    engine.streamStarted()
                    do {
                        for frame in frames {
                            if frame.delayMs > 0 {
                                try await Task.sleep(for: .microseconds(Int64(frame.delayMs * 1000)))
                            }
                            try await writer.write(
                                frame.event.map { SSEWriter.encode(SSEEvent(data: frame.data, event: $0)) }
                                    ?? SSEWriter.encode(data: frame.data)
                            )
                        }
                    } catch {
                        engine.streamEnded(aborted: true)
                        throw error
                    }
                    engine.streamEnded(aborted: false)
                    if ending == .stall {
                        let seconds = engine.configuration.hangSeconds
                        try? await cancelWhenGracefulShutdown {
                            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                        }
                        throw SimulatedDisconnect()
                    }
                    if ending == .disconnect {
                        // Let the frames already written reach the peer before the connection drops.
                        try await Task.sleep(for: .milliseconds(50))
                        throw SimulatedDisconnect()
                    }
                    try await writer.finish(nil)
                }
            )
        case .hang(let seconds):
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
            return MockAzureServer.json(AzureError.timeout.status, AzureError.timeout.body)
        }
    }

    static func fields(_ headers: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }

    static func json(_ status: Int, _ body: JSON) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: body.byteBuffer())
        )
    }
}

/// Unknown paths and methods get Azure's 404 body rather than an empty one.
struct AzureNotFoundMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound || error.status == .methodNotAllowed {
            return MockAzureServer.json(AzureError.resourceNotFound.status, AzureError.resourceNotFound.body)
        }
    }
}

extension Scenario {
    var summary: JSON {
        var object: JSONObject = [
            "name": .string(name), "description": .string(description), "file": .string(file),
            "priority": .int(priority),
        ]
        if let match {
            var rules = JSONObject()
            if let deployments = match.deployments { rules["deployment"] = .array(deployments.map(JSON.string)) }
            if let operation = match.operation { rules["path"] = .string(operation.rawValue) }
            if let stream = match.stream { rules["stream"] = .bool(stream) }
            switch match.lastUserMessage {
            case .equals(let text)?: rules["last_user_message"] = ["equals": .string(text)]
            case .contains(let text)?: rules["last_user_message"] = ["contains": .string(text)]
            case nil: break
            }
            if !match.body.isEmpty { rules["body_rules"] = .int(match.body.count) }
            object["match"] = .object(rules)
        }
        object["status"] = .int(response.status)
        object["stream"] = .bool(response.frames != nil)
        return .object(object)
    }
}

extension Deployment {
    var summary: JSON {
        [
            "name": .string(name), "model": .string(model), "kind": .string(kind.rawValue),
            "rpm": rpm.map(JSON.int) ?? nil, "tpm": tpm.map(JSON.int) ?? nil,
            "default_scenario": defaultScenario.map(JSON.string) ?? nil,
        ]
    }
}
