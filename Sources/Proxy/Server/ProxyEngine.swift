import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Wire

/// The gateway's request path, free of the HTTP server: auth → model → routing → upstream → (stream relay |
/// bounded collect) → shaping. Hummingbird (or a plain NIO handler) only turns bytes into a `ProxyCall` and a
/// `ProxyOutcome` back into bytes.
public final class ProxyEngine: Sendable {
    public static let version = "1.110.2"

    public let config: ProxyConfig
    public let router: ModelRouter
    public let authenticator: Authenticator
    let builder: UpstreamRequestBuilder
    let client: HTTPClient
    let pinned: PinnedHTTPClient?
    /// Spend logging, when a store is configured.
    public let spend: SpendRecorder?
    /// Virtual keys, when a store is configured.
    public let keys: KeyService?
    /// Prometheus metrics, when enabled (`callbacks: ["prometheus"]` or `--metrics-port`).
    public let metrics: ProxyMetrics?
    let logger: Logger
    /// How the router waits before a retry (injected by tests that control time).
    let sleep: @Sendable (Duration) async throws -> Void
    let prices = PriceTable.shipped
    /// Refused keys per client address (guessing keys, or hammering the key database with unknown ones).
    let authThrottle: FailureThrottle
    /// Largest upstream body read into memory (non-stream answers and error bodies).
    let maximumUpstreamBody = 64 * 1024 * 1024

    public init(
        config: ProxyConfig,
        client: HTTPClient,
        pinned: PinnedHTTPClient? = nil,
        spend: SpendRecorder? = nil,
        keys: KeyService? = nil,
        authenticator: Authenticator? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger,
        metrics: ProxyMetrics? = nil,
        routerState: RouterState = RouterState(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.config = config
        self.router = ModelRouter(config: config, state: routerState)
        self.sleep = sleep
        self.metrics = metrics
        let header = config.settings.auth.keyHeaderName
        self.authenticator =
            authenticator
            ?? Authenticator(
                masterKey: config.settings.masterKey,
                extractor: KeyExtractor(customHeader: header),
                virtualKeys: keys
            )
        self.keys = keys
        self.authThrottle = FailureThrottle(config.settings.auth.failedKeyThrottle)
        self.builder = UpstreamRequestBuilder(environment: environment)
        self.client = client
        self.pinned = pinned
        self.spend = spend
        self.logger = logger
    }

    /// Authenticates a call against the master key (and virtual keys when plugged in). An address with too many
    /// refused keys in its window gets a 429 with `retry-after` before any key is looked at.
    public func authenticate(_ headers: [(String, String)], clientIP: String? = nil) async throws(ProxyError) -> Caller
    {
        if let wait = authThrottle.retryAfter(clientIP) { throw .tooManyFailedAuthentications(retryAfter: wait) }
        do {
            return try await authenticator.authenticate { name in headers.first { $0.0 == name }?.1 }
        } catch {
            // A refused key counts; no key at all is no guess (and costs no lookup).
            if error.status == 401, error.error.message != ProxyError.noKey.error.message {
                authThrottle.failed(clientIP)
            }
            throw error
        }
    }

    /// Authenticates a management call: the master key (or an open proxy without one); virtual keys get 403.
    public func authenticateMaster(_ headers: [(String, String)], clientIP: String? = nil) async throws(ProxyError)
        -> Caller
    {
        let caller = try await authenticate(headers, clientIP: clientIP)
        if case .virtualKey = caller.kind { throw .masterKeyRequired }
        return caller
    }

    public func handle(_ call: ProxyCall) async -> ProxyOutcome {
        let callID = UUID().uuidString.lowercased()
        var logger = self.logger
        logger[metadataKey: "request_id"] = "\(callID)"
        let base: [(String, String)] = [("x-litellm-call-id", callID), ("x-litellm-version", ProxyEngine.version)]
        metrics?.requestStarted()
        do {
            let caller = try await authenticate(call.headers, clientIP: call.clientIP)
            return try await forward(call, caller: caller, callID: callID, baseHeaders: base, logger: logger)
        } catch {
            logger.info("request refused", metadata: ["status": "\(error.status)", "route": "\(call.route)"])
            if let metrics {
                metrics.requestEnded()
                let seconds = ContinuousClock.now - call.started
                metrics.observe(
                    .init(
                        route: call.route,
                        requestedModel: "",
                        status: error.status,
                        errorClass: error.error.type,
                        totalSeconds: ProxyEngine.seconds(seconds)
                    )
                )
            }
            return .error(error, headers: base)
        }
    }

    func forward(_ call: ProxyCall, caller: Caller, callID: String, baseHeaders: [(String, String)], logger: Logger)
        async throws(ProxyError) -> ProxyOutcome
    {
        if call.bodyTooLarge { throw .bodyTooLarge(limit: config.settings.maximumRequestBodySize) }
        let body: JSONObject
        do {
            switch try JSON.parse(call.body.readableBytesView) {
            case .object(let object): body = object
            case let other: throw ProxyError.invalidJSON("expected a JSON object, found \(other.kindName)")
            }
        } catch let error as JSONParseError {
            throw .invalidJSON(error.description)
        } catch {
            throw error as! ProxyError
        }
        let model: String
        if let pathModel = call.pathModel {
            model = pathModel
        } else {
            switch body["model"] {
            case .string(let name)?: model = name
            case nil, .null?: throw .missing("model")
            default: throw .wrongType("model", expected: "a string")
            }
        }
        switch call.operation {
        case .chatCompletions:
            guard let messages = body["messages"], !messages.isNull else { throw .missing("messages") }
            guard case .array = messages else { throw .wrongType("messages", expected: "an array") }
        case .completions:
            guard body["prompt"] != nil else { throw .missing("prompt") }
        case .embeddings:
            guard body["input"] != nil else { throw .missing("input") }
        }
        if let stream = body["stream"], !stream.isNull, stream.boolValue == nil {
            throw .wrongType("stream", expected: "a boolean")
        }

        guard let group = router.groupName(for: model), let deployments = router.groups[group] else {
            throw .unknownModel(model, route: call.route)
        }
        if !caller.mayUse(modelGroup: group), case .virtualKey(_, _, let allowed) = caller.kind {
            throw ProxyError(
                OpenAIError(
                    status: 401,
                    message:
                        "Authentication Error, API Key not allowed to access model. This token can only access models=\(allowed). Tried to access \(model)",
                    type: "key_model_access_denied",
                    param: "model"
                )
            )
        }
        _ = deployments
        try keys?.admit(caller)
        let request = RoutedRequest(
            call: call,
            body: body,
            model: model,
            caller: caller,
            callID: callID,
            baseHeaders: baseHeaders,
            isStream: body["stream"]?.boolValue == true && call.operation != .embeddings,
            clientWantsUsage: body["stream_options"]?["include_usage"]?.boolValue == true,
            requestedRetries: body["num_retries"]?.intValue.map {
                min(max($0, 0), ProxyEngine.maximumRequestedRetries)
            },
            logger: logger
        )
        return await route(request, group: group)
    }

    /// A request is over: its spend row, its key's spend, and its key's limits.
    func complete(_ finished: SpendRecorder.Finished) {
        let recorded = spend?.record(finished)
        let tokens = recorded?.tokens ?? finished.usage?["total_tokens"]?.tokenCount ?? 0
        keys?.release(finished.caller, tokens: tokens, spend: recorded?.spend ?? 0)
        if let metrics { observe(finished, spend: recorded?.spend ?? 0, into: metrics) }
        // The router learns the attempt's latency (time to first byte for streams) and tokens. A failed attempt was
        // already counted by the router when it failed (and `attemptStartedAt` is then nil).
        if let attemptStarted = finished.attemptStartedAt {
            if finished.error == nil {
                let latency = (finished.firstByteAt ?? Date()).timeIntervalSince(attemptStarted)
                router.state.succeeded(
                    finished.deployment.id,
                    latency: latency,
                    tokens: tokens,
                    ttl: router.settings.latencyTTL
                )
            } else {
                router.state.abandoned(finished.deployment.id)
            }
        }
    }

    /// One attempt on one deployment. An answer (a 200, or a stream whose headers arrived) records its spend row when
    /// it completes; a failure is thrown with the upstream's headers for the router to retry, fall back or answer.
    func exchange(
        _ request: RoutedRequest,
        deployment: ModelDeployment,
        group: String,
        attempts: AttemptCounts,
        finished: SpendRecorder.Finished
    ) async throws(ProxyError) -> ProxyOutcome {
        var finished = finished
        let (call, isStream, clientWantsUsage, logger) = (
            request.call, request.isStream, request.clientWantsUsage, request.logger
        )
        let upstream = builder.build(deployment, operation: call.operation, body: request.body)

        let timeout =
            isStream
            ? (deployment.streamTimeout ?? config.settings.routerStreamTimeout ?? deployment.timeout ?? config.settings
                .routerTimeout ?? config.settings.requestTimeout)
            : (deployment.timeout ?? config.settings.routerTimeout ?? config.settings.requestTimeout)
        let upstreamStarted = ContinuousClock.now
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
        let status: HTTPResponseStatus
        let responseHeaders: HTTPHeaders
        var streamBody: HTTPClientResponse.Body?
        var completeBody: ByteBuffer?
        if isStream {
            var request = HTTPClientRequest(url: upstream.url)
            request.method = .POST
            for (name, value) in upstream.headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: upstream.body))
            do {
                let response = try await client.execute(request, deadline: deadline, logger: logger)
                (status, responseHeaders, streamBody) = (response.status, response.headers, response.body)
            } catch {
                throw mapTransportError(error, timeout: timeout, deployment: deployment, logger: logger)
            }
        } else {
            // The whole exchange, bounded in time (the deadline) and size, on the client connection's event loop.
            do {
                if let pinned, let loop = call.eventLoop {
                    let response = try await pinned.post(
                        url: upstream.url,
                        headers: upstream.headers,
                        body: ByteBuffer(bytes: upstream.body),
                        on: loop,
                        deadline: deadline,
                        maximumBodySize: maximumUpstreamBody
                    ).get()
                    (status, responseHeaders, completeBody) = (response.status, response.headers, response.body)
                } else {
                    let request = try HTTPClient.Request(
                        url: upstream.url,
                        method: .POST,
                        headers: HTTPHeaders(upstream.headers),
                        body: .byteBuffer(ByteBuffer(bytes: upstream.body))
                    )
                    let accumulator = ResponseAccumulator(request: request, maxBodySize: maximumUpstreamBody)
                    let response = try await client.execute(
                        request: request,
                        delegate: accumulator,
                        eventLoop: .indifferent,
                        deadline: deadline,
                        logger: logger
                    ).get()
                    (status, responseHeaders, completeBody) = (
                        response.status, response.headers, response.body ?? ByteBuffer()
                    )
                }
            } catch {
                throw mapTransportError(error, timeout: timeout, deployment: deployment, logger: logger)
            }
        }

        var headers: [(String, String)] = [
            ("x-litellm-model-id", deployment.id),
            ("x-litellm-model-name", deployment.model),
            ("x-litellm-model-api-base", deployment.publicAPIBase ?? upstream.apiBase),
            ("x-litellm-model-group", group),
        ]
        for (name, value) in responseHeaders {
            let lower = name.lowercased()
            if ProxyEngine.hopByHop.contains(lower) { continue }
            if lower.hasPrefix("x-ratelimit-") || lower == "retry-after" || lower == "retry-after-ms" {
                headers.append((lower, value))
            }
            headers.append(("llm_provider-" + lower, value))
        }

        if status != .ok {
            let bytes: [UInt8]
            if let streamBody {
                bytes = try await collect(streamBody, timeout: timeout, deployment: deployment, logger: logger)
            } else {
                bytes = completeBody.map { Array($0.readableBytesView) } ?? []
            }
            let upstreamHeaders = headers.filter {
                $0.0 == "retry-after" || $0.0 == "retry-after-ms" || $0.0.hasPrefix("x-ratelimit-")
            }
            let error = ProxyError.upstream(
                status: Int(status.code),
                body: try? JSON.parse(bytes),
                rawBody: String(decoding: bytes.prefix(2048), as: UTF8.self),
                deployment: deployment,
                headers: upstreamHeaders
            )
            logger.info("upstream error", metadata: ["status": "\(status.code)", "model_id": "\(deployment.id)"])
            var failure = error
            failure.headers += headers.filter { !upstreamHeaders.map(\.0).contains($0.0) }
            throw failure
        }
        headers = request.baseHeaders + headers + attempts.headers

        if let streamBody {
            headers.insert(("content-type", "text/event-stream"), at: 0)
            headers.append(("cache-control", "no-cache"))
            headers.append(("x-accel-buffering", "no"))
            var relay = StreamRelay(
                body: streamBody,
                deployment: deployment,
                clientWantsUsage: clientWantsUsage,
                logger: logger
            )
            relay.idleTimeout = .milliseconds(Int64(timeout * 1000))
            metrics?.streamStarted()
            let prompt = request.body
            let prices = self.prices
            relay.cost = { usage, model in
                prices.price(for: deployment, upstreamModel: model).map {
                    ProxyEngine.significant12(PriceTable.cost(usage: usage, price: $0))
                }
            }
            do {
                let started = finished
                relay.onFinish = { [self] summary in
                    metrics?.streamEnded()
                    var finished = started
                    finished.firstByteAt = summary.firstByteDate
                    finished.usage = summary.usage
                    finished.upstreamModel = summary.model
                    finished.streamOutcome = summary.outcome
                    if summary.usage == nil {
                        // Cut before its usage frame (the client left, the upstream broke or stalled): what was
                        // asked and what was delivered is still booked, as an estimate the row marks.
                        finished.usage = summary.estimatedUsage(
                            prompt: TokenEstimate.prompt(of: ChatRequest(body: .object(prompt)))
                        )
                        finished.usageEstimated = true
                    }
                    finished.response = ResponseShaper.shape(summary.assembled, deployment: deployment)
                    if let reason = summary.upstreamError {
                        finished.error =
                            summary.timedOut
                            ? ProxyError(OpenAIError(status: 408, message: reason, type: "timeout"))
                            : ProxyError(OpenAIError(status: 500, message: reason, type: "api_connection_error"))
                    }
                    self.complete(finished)
                }
            }
            return .stream(headers: headers, relay: relay)
        }

        let bytes = completeBody.map { Array($0.readableBytesView) } ?? []
        let upstreamDuration = ContinuousClock.now - upstreamStarted
        let shaped: ByteBuffer
        if let json = try? JSON.parse(bytes) {
            let shapedJSON = ResponseShaper.shape(json, deployment: deployment)
            shaped = shapedJSON.byteBuffer()
            finished.response = shapedJSON
            finished.responseBody = shaped
            finished.usage = json["usage"]
            finished.upstreamModel = json["model"]?.stringValue
            if let usage = json["usage"],
                let price = prices.price(for: deployment, upstreamModel: json["model"]?.stringValue)
            {
                headers.append(
                    ("x-litellm-response-cost", ProxyEngine.costText(PriceTable.cost(usage: usage, price: price)))
                )
            }
        } else {
            // A 200 whose body is not JSON (cut short, garbled) is a failed attempt, as LiteLLM's APIError: retried,
            // and a 500 for the client if nothing else answers.
            logger.warning(
                "upstream answered 200 with a body that is not JSON",
                metadata: ["model_id": "\(deployment.id)", "bytes": "\(bytes.count)"]
            )
            var failure = ProxyError(
                OpenAIError(
                    status: 500,
                    message:
                        "litellm.APIError: \(ProxyError.providerName(deployment))Exception - the upstream answer was not valid JSON. model=\(deployment.upstreamModel)",
                    type: "api_error",
                    param: "None"
                ),
                retryClass: .internalServer
            )
            failure.headers = headers
            throw failure
        }
        let total = ContinuousClock.now - call.started
        headers.append(("x-litellm-response-duration-ms", ProxyEngine.milliseconds(total)))
        headers.append(("x-litellm-overhead-duration-ms", ProxyEngine.milliseconds(total - upstreamDuration)))
        complete(finished)
        return .complete(status: 200, headers: [("content-type", "application/json")] + headers, body: shaped)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    func observe(_ finished: SpendRecorder.Finished, spend: Double, into metrics: ProxyMetrics) {
        metrics.requestEnded()
        let now = Date()
        let usage = finished.usage
        metrics.observe(
            .init(
                route: finished.operation.route,
                requestedModel: finished.requestedModel ?? finished.deployment.modelName,
                deployment: finished.deployment,
                status: finished.error?.status ?? 200,
                errorClass: finished.error?.error.type,
                totalSeconds: now.timeIntervalSince(finished.startedAt),
                upstreamSeconds: finished.attemptStartedAt.map { now.timeIntervalSince($0) },
                firstTokenSeconds: finished.firstByteAt.map { $0.timeIntervalSince(finished.startedAt) },
                promptTokens: usage?["prompt_tokens"]?.tokenCount ?? 0,
                completionTokens: usage?["completion_tokens"]?.tokenCount ?? 0,
                reasoningTokens: usage?.value(at: "completion_tokens_details.reasoning_tokens")?.tokenCount ?? 0,
                spend: spend
            )
        )
    }

    /// The most retries a request's own `num_retries` gets (the config's settings are the operator's and not capped).
    public static let maximumRequestedRetries = 10

    static let hopByHop: Set<String> = [
        "content-length", "transfer-encoding", "connection", "keep-alive", "content-type", "date", "server",
        "set-cookie",
    ]

    /// A cost as Python prints a float (`0.0007689`), rounded to 12 significant digits to drop binary noise.
    static func costText(_ cost: Double) -> String {
        JSON.double(significant12(cost)).serialized()
    }

    /// `value` rounded to 12 significant digits (as `%.12g` would print it, without formatting a string).
    static func significant12(_ value: Double) -> Double {
        guard value.isFinite, value != 0 else { return value }
        let exponent = Int(log10(abs(value)).rounded(.down))
        let digits = 11 - exponent
        guard digits > -300, digits < 300 else { return value }
        let scale = pow(10.0, Double(abs(digits)))
        let rounded = digits >= 0 ? (value * scale).rounded() / scale : (value / scale).rounded() * scale
        return rounded.isFinite ? rounded : value
    }

    /// Milliseconds with three decimals (`1.732`).
    static func milliseconds(_ duration: Duration) -> String {
        let micros = max(
            0,
            duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        )
        let fraction = micros % 1000
        return "\(micros / 1000)." + (fraction < 10 ? "00" : fraction < 100 ? "0" : "") + String(fraction)
    }

    /// Reads an upstream body whole, bounded in size and time.
    func collect(_ body: HTTPClientResponse.Body, timeout: Double, deployment: ModelDeployment, logger: Logger)
        async throws(ProxyError) -> [UInt8]
    {
        let limit = maximumUpstreamBody
        do {
            return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask {
                    let buffer = try await body.collect(upTo: limit)
                    return Array(buffer.readableBytesView)
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                guard let first else { throw HTTPClientError.deadlineExceeded }
                return first
            }
        } catch {
            throw mapTransportError(error, timeout: timeout, deployment: deployment, logger: logger)
        }
    }

    func mapTransportError(_ error: any Error, timeout: Double, deployment: ModelDeployment, logger: Logger)
        -> ProxyError
    {
        var timedOut =
            (error as? HTTPClientError).map { [.deadlineExceeded, .readTimeout, .connectTimeout].contains($0) } ?? false
        if (error as? PinnedHTTPClient.Failure) == .timeout { timedOut = true }
        if case ChannelError.connectTimeout? = error as? ChannelError { timedOut = true }
        if timedOut {
            logger.info("upstream timeout", metadata: ["model_id": "\(deployment.id)", "timeout_s": "\(timeout)"])
            return .timeout(seconds: timeout, deployment: deployment)
        }
        // The description names the failure class only: no URL with credentials, no headers.
        let reason: String
        if let error = error as? HTTPClientError {
            reason = error.shortDescription
        } else if let error = error as? PinnedHTTPClient.Failure {
            reason = "\(error)"
        } else if let error = error as? NIOConnectionError {
            reason = "connection to \(error.host):\(error.port) failed"
        } else if let error = error as? IOError {
            reason = "I/O error \(error.errnoCode)"
        } else {
            reason = String(describing: type(of: error))
        }
        logger.warning("upstream unreachable", metadata: ["model_id": "\(deployment.id)", "reason": "\(reason)"])
        return .unreachable(deployment: deployment, reason: reason)
    }
}
