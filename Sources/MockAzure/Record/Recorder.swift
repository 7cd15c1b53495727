import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import Wire

/// `mock-azure record`: forwards each request to a real Azure OpenAI endpoint, streams the answer back to the
/// caller as it arrives (frame by frame, never buffered), and writes the exchange as a scenario file — stream
/// frames with their relative timing — with api keys, bearer tokens and cookies removed.
public struct Recorder: Sendable {
    public let configuration: RecordingConfiguration
    public let logger: Logger
    let client: HTTPClient
    let counter = Counter()

    final class Counter: Sendable {
        let value = NIOLockedValueBox(0)
        func next() -> Int {
            value.withLockedValue {
                $0 += 1; return $0
            }
        }
    }

    /// Request headers never forwarded as they are: hop-by-hop ones, and credentials (replaced by the upstream key).
    static let droppedRequestHeaders: Set<String> = [
        "host", "content-length", "connection", "transfer-encoding", "keep-alive", "cookie",
    ]
    /// Response headers not relayed: framing is the server's own business.
    static let droppedResponseHeaders: Set<String> = [
        "content-length", "transfer-encoding", "connection", "keep-alive", "set-cookie",
    ]

    public init(
        configuration: RecordingConfiguration,
        client: HTTPClient = .shared,
        logger: Logger = Logger(label: "mock-azure.record")
    ) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
    }

    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = Router()
        let recorder = self
        router.on("/openai/**", method: .post) { request, _ in try await recorder.forward(request) }
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    func forward(_ request: Request) async throws -> Response {
        let started = ContinuousClock.now
        let body = try await request.body.collect(upTo: configuration.maximumBodySize)
        let bodyBytes = Array(body.readableBytesView)
        var url =
            configuration.upstream.hasSuffix("/") ? String(configuration.upstream.dropLast()) : configuration.upstream
        url += request.uri.path
        if let query = request.uri.query, !query.isEmpty { url += "?" + query }

        var upstream = HTTPClientRequest(url: url)
        upstream.method = .POST
        var secrets: [String] = []
        for field in request.headers {
            let name = field.name.canonicalName
            if Recorder.droppedRequestHeaders.contains(name) { continue }
            if name == "api-key" || name == "authorization" {
                secrets.append(field.value)
                if name == "authorization", field.value.lowercased().hasPrefix("bearer ") {
                    secrets.append(String(field.value.dropFirst(7)))
                }
                if configuration.upstreamAPIKey != nil { continue }
            }
            upstream.headers.add(name: name, value: field.value)
        }
        if let key = configuration.upstreamAPIKey {
            upstream.headers.replaceOrAdd(name: "api-key", value: key)
            secrets.append(key)
        }
        upstream.body = .bytes(body)
        let response = try await client.execute(upstream, timeout: .seconds(600), logger: logger)

        var headers = HTTPFields()
        var recordedHeaders: [(String, String)] = []
        for (name, value) in response.headers where !Recorder.droppedResponseHeaders.contains(name.lowercased()) {
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
            recordedHeaders.append((name, value))
        }
        let isStream = response.headers.first(name: "content-type")?.lowercased().contains("text/event-stream") == true
        let parts = request.uri.path.split(separator: "/").map(String.init)
        let deployment =
            parts.count > 2 && parts[1] == "deployments"
            ? parts[2] : ((try? JSON.parse(bodyBytes))?["model"]?.stringValue ?? "unknown")
        let operation =
            parts.count > 2 && parts[1] == "deployments"
            ? parts.dropFirst(3).joined(separator: "/") : parts.dropFirst(2).joined(separator: "/")
        let initial = RecordedExchange(
            deployment: deployment,
            operation: operation,
            requestBody: try? JSON.parse(bodyBytes),
            status: Int(response.status.code),
            headers: recordedHeaders,
            body: [],
            frames: isStream ? [] : nil,
            droppedMidStream: false
        )
        let recorder = self
        let secretList = secrets
        let limit = configuration.maximumBodySize
        return Response(
            status: .init(code: Int(response.status.code)),
            headers: headers,
            body: ResponseBody { writer in
                var exchange = initial
                var parser = SSEParser()
                var last = started
                var size = 0
                var sawDone = false
                do {
                    for try await chunk in response.body {
                        size += chunk.readableBytes
                        try await writer.write(chunk)
                        if isStream {
                            let now = ContinuousClock.now
                            for event in try parser.feed(chunk.readableBytesView) {
                                let delay = now - last
                                last = now
                                exchange.frames?.append(
                                    StreamFrame(
                                        delayMs: Double(delay.components.seconds) * 1000 + Double(
                                            delay.components.attoseconds
                                        ) / 1e15,
                                        data: event.data
                                    )
                                )
                                if event.isDone { sawDone = true }
                            }
                        } else if size <= limit {
                            exchange.body.append(contentsOf: chunk.readableBytesView)
                        }
                    }
                } catch {
                    exchange.droppedMidStream = true
                    recorder.save(exchange, secrets: secretList)
                    throw error
                }
                if isStream, !sawDone, parser.finish() { exchange.droppedMidStream = true }
                recorder.save(exchange, secrets: secretList)
                try await writer.finish(nil)
            }
        )
    }

    func save(_ exchange: RecordedExchange, secrets: [String]) {
        let number = counter.next()
        let stamp = Int(Date().timeIntervalSince1970)
        let safeDeployment = exchange.deployment.filter {
            $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_"
        }
        let name = "recorded-\(safeDeployment)-\(stamp)-\(number)"
        let document = exchange.document(name: name, source: configuration.upstream, secrets: secrets)
        let folder = URL(fileURLWithPath: configuration.outputDirectory)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let file = folder.appendingPathComponent(name + ".json")
            try Data((document.prettyPrinted() + "\n").utf8).write(to: file, options: .atomic)
            logger.info("recorded scenario", metadata: ["file": "\(file.path)", "status": "\(exchange.status)"])
        } catch {
            logger.error("cannot write recorded scenario", metadata: ["folder": "\(folder.path)", "error": "\(error)"])
        }
    }
}
