import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Tracing
import Wire

extension Gateway {
    /// One attempt on one deployment. An answer (a 200, or a stream whose headers arrived) completes its facts when
    /// it ends; a failure is thrown with the upstream's headers for the router to retry, fall back or answer.
    func attemptOnce(
        _ request: GatewayRequest,
        on deployment: ModelDeployment,
        group: String,
        counts: AttemptCounts,
        span: (any Span)?
    ) async throws(ProxyError) -> ProxyOutcome {
        let logger = request.logger
        var facts = request.facts(on: deployment, counts: counts)
        let timeout = timeout(of: deployment, request: request).value
        try await mockTesting(request, counts: counts, timeout: timeout)
        // `/completions` on a chat deployment goes through chat, as LiteLLM serves it; chat on a completions-only
        // deployment through completions (TextCompletion).
        let conversion = TextCompletion.Conversion(request.call.operation, on: deployment)
        let upstreamStarted = ContinuousClock.now
        let operation = conversion.upstream(request.call.operation)
        let body = conversion.body(request.body)
        let (upstream, response) = try await send(
            on: deployment,
            stream: request.isStream,
            request: request.call,
            timeout: timeout,
            logger: logger
        ) { token throws(ProxyError) in
            var upstream = try self.builder.build(deployment, operation: operation, body: body, token: token)
            // Azure's side of the call joins the trace: the attempt's own W3C context, the client's replaced.
            if let span, let trace = request.trace { trace.propagate(span, into: &upstream.headers) }
            return upstream
        }
        let upstreamDuration = ContinuousClock.now - upstreamStarted
        facts.remainingRequests = response.headers.first(name: "x-ratelimit-remaining-requests").flatMap(Double.init)
        facts.remainingTokens = response.headers.first(name: "x-ratelimit-remaining-tokens").flatMap(Double.init)
        var headers = ResponseBuilder.headers(
            deployment: deployment,
            group: group,
            apiBase: upstream.apiBase,
            upstream: response.headers
        )
        guard response.status == .ok else {
            let bytes = try await transport.collect(response, timeout: timeout, deployment: deployment, logger: logger)
            logger.info(
                "upstream error",
                metadata: ["status": "\(response.status.code)", "model_id": "\(deployment.id)"]
            )
            throw ResponseBuilder.refusal(
                status: Int(response.status.code),
                body: bytes,
                headers: headers,
                deployment: deployment
            )
        }
        headers = request.baseHeaders + headers + counts.headers
        let bytes: [UInt8]
        switch response.body {
        case .stream(let body):
            // A `during_call` guardrail's refusal comes before the first byte; the unread stream is dropped.
            var none: JSON?
            if let refusal = await guardAnswer(request, &facts, answer: &none) {
                return .error(refusal, headers: request.baseHeaders + counts.headers + Self.appliedGuardrails(request))
            }
            headers += Self.appliedGuardrails(request)
            var relay = relay(
                body,
                request: request,
                deployment: deployment,
                group: group,
                timeout: timeout,
                facts: facts,
                span: span
            )
            relay.conversion = conversion
            relay.responses = request.call.operation == .responses
            return .stream(headers: ResponseBuilder.streamHeaders(headers), relay: relay)
        case .complete(let body):
            bytes = Array(body.readableBytesView)
        }
        var answer: ResponseBuilder.Answer
        do {
            answer = try ResponseBuilder.answer(
                bytes,
                deployment: deployment,
                prices: prices,
                responses: request.call.operation == .responses,
                asJSON: conversion != .none
            )
        } catch {
            logger.warning(
                "upstream answered 200 with a body that is not JSON",
                metadata: ["model_id": "\(deployment.id)", "bytes": "\(bytes.count)"]
            )
            var failure = error
            failure.headers = headers
            throw failure
        }
        if conversion != .none, let json = answer.json {
            let converted = conversion.answer(json)
            answer.json = converted
            answer.body = converted.byteBuffer()
        }
        // Post-call guardrails read the answer: parsed here only for them (the hot path passes its bytes on).
        facts.responseID = answer.id
        facts.usage = answer.usage
        facts.upstreamModel = answer.model
        var guarded =
            answer.json
            ?? (request.guardrails.contains { $0.runs(in: .postCall) }
                ? try? JSON.parse(answer.body.readableBytesView) : nil)
        if let refusal = await guardAnswer(request, &facts, answer: &guarded) {
            return .error(refusal, headers: request.baseHeaders + counts.headers + Self.appliedGuardrails(request))
        }
        if let guarded, facts.guardrails.contains(where: { $0.mode == "post_call" && !$0.maskedEntities.isEmpty }) {
            answer.json = guarded
            answer.body = guarded.byteBuffer()
        }
        headers += Self.appliedGuardrails(request)
        facts.response = answer.json
        facts.responseBody = answer.body
        if let cost = answer.cost { headers.append(("x-litellm-response-cost", NumberText.cost(cost))) }
        let total = ContinuousClock.now - request.call.started
        headers.append(("x-litellm-response-duration-ms", NumberText.milliseconds(total)))
        headers.append(("x-litellm-overhead-duration-ms", NumberText.milliseconds(total - upstreamDuration)))
        facts.overhead = NumberText.seconds(total - upstreamDuration)
        complete(facts, trace: request.trace, span: span)
        // Stored when the request's own group answered (not a fallback), and a Responses answer only once final.
        if let plan = request.cache, plan.group == group,
            request.call.operation != .responses || answer.json?["status"] == "completed"
        {
            cache?.save(plan, body: answer.body, modelID: deployment.id)
        }
        return .complete(status: 200, headers: [("content-type", "application/json")] + headers, body: answer.body)
    }

    /// The upstream call, with the deployment's Entra ID token when it has one. Azure refusing the token (401) drops
    /// it and the call is made once more with a new one: a token revoked or rotated early costs one retry, not
    /// an hour of 401s.
    func send(
        on deployment: ModelDeployment,
        stream: Bool,
        request call: ProxyCall,
        timeout: Double,
        logger: Logger,
        build: (String?) throws(ProxyError) -> UpstreamRequest
    ) async throws(ProxyError) -> (UpstreamRequest, UpstreamResponse) {
        var token: String?
        if let credential = deployment.entra {
            do throws(EntraTokenError) {
                token = try await identity.token(credential)
            } catch {
                throw error.proxyError(deployment: deployment)
            }
        }
        var renewed = false
        while true {
            let upstream = try build(token)
            let response = try await transport.send(
                upstream,
                stream: stream,
                on: call.eventLoop,
                timeout: timeout,
                deployment: deployment,
                logger: logger
            )
            guard response.status == .unauthorized, !renewed, let credential = deployment.entra, let used = token
            else { return (upstream, response) }
            _ = try? await transport.collect(response, timeout: timeout, deployment: deployment, logger: logger)
            logger.info(
                "Azure refused the Entra ID token; fetching a new one",
                metadata: ["model_id": "\(deployment.id)"]
            )
            identity.invalidate(credential, token: used)
            do throws(EntraTokenError) {
                token = try await identity.token(credential)
            } catch {
                throw error.proxyError(deployment: deployment)
            }
            renewed = true
        }
    }

    /// Seconds an attempt may take: the request's own timeout, else the deployment's, else the router's, else
    /// LiteLLM's request timeout; for a stream each `stream_timeout` first (it bounds every wait for the upstream).
    func timeout(of deployment: ModelDeployment, request: GatewayRequest) -> RequestControls.Seconds {
        let settings = config.settings
        let configured = { (value: Double) in RequestControls.Seconds(value: value, text: NumberText.pythonFloat(value))
        }
        let plain = request.controls.timeout ?? configured(configuredTimeout(of: deployment))
        guard request.isStream else { return plain }
        return request.controls.streamTimeout
            ?? (deployment.streamTimeout ?? settings.routerStreamTimeout).map(configured) ?? plain
    }

    /// The deployment's `timeout`, else the router's, else LiteLLM's request timeout (seconds).
    func configuredTimeout(of deployment: ModelDeployment) -> Double {
        deployment.timeout ?? config.settings.routerTimeout ?? config.settings.requestTimeout
    }

    /// LiteLLM's testing parameters, when the config allows them: `mock_delay` waits, `mock_timeout` waits out the
    /// timeout and fails with 408, `mock_testing_rate_limit_error` fails the first attempt with 429 (then retried).
    func mockTesting(_ request: GatewayRequest, counts: AttemptCounts, timeout: Double) async throws(ProxyError) {
        let controls = request.controls
        if let delay = controls.mockDelay { try? await Task.sleep(for: .milliseconds(Int64(delay * 1000))) }
        if controls.mockFailures.contains(.timeout) {
            try? await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
            throw .mockFailure(.timeout, model: request.model, fallbacks: nil)
        }
        if controls.mockFailures.contains(.rateLimit), counts.retries == 0, counts.fallbacks == 0 {
            throw .mockFailure(.rateLimit, model: request.model, fallbacks: nil)
        }
    }

    /// The relay that writes a stream event by event; its summary completes the request's facts when it ends.
    func relay(
        _ body: HTTPClientResponse.Body,
        request: GatewayRequest,
        deployment: ModelDeployment,
        group: String,
        timeout: Double,
        facts started: RequestFacts,
        span: (any Span)?
    ) -> StreamRelay {
        var relay = StreamRelay(
            body: body,
            deployment: deployment,
            clientWantsUsage: request.clientWantsUsage,
            shape: request.streamShape,
            logger: request.logger
        )
        relay.idleTimeout = .milliseconds(Int64(timeout * 1000))
        let held = holdForGuardrails(&relay, request: request, deployment: deployment)
        metrics?.streamStarted()
        let prices = self.prices
        relay.cost = { usage, model in
            prices.price(for: deployment, upstreamModel: model).map {
                NumberText.significant12(PriceTable.cost(usage: usage, price: $0))
            }
        }
        let prompt = request.body
        let relaying = span.flatMap { span in request.trace?.start("stream_relay", under: span) }
        relay.onFinish = { [self] summary in
            metrics?.streamEnded()
            relaying?.ended(summary)
            var facts = started
            facts.firstByteAt = summary.firstByteDate
            facts.usage = summary.usage
            facts.upstreamModel = summary.model
            facts.streamOutcome = summary.outcome
            if summary.usage == nil {
                // Cut before its usage frame (the client left, the upstream broke or stalled): what was asked and
                // what was delivered is still booked, as an estimate the row marks.
                facts.usage = summary.estimatedUsage(
                    prompt: TokenEstimate.prompt(of: ChatRequest(body: .object(prompt)))
                )
                facts.usageEstimated = true
            }
            facts.response = summary.response ?? ResponseShaper.shape(summary.assembled, deployment: deployment)
            if let held = held?.state.withLockedValue({ $0 }) {
                facts.guardrails += held.records
                facts.error = held.refusal ?? facts.error
                // A refused answer is not stored: its row keeps the refusal only.
                facts.response = held.refusal == nil ? held.answer ?? facts.response : nil
            }
            if let reason = summary.upstreamError {
                facts.error =
                    summary.timedOut
                    ? ProxyError(OpenAIError(status: 408, message: reason, type: "timeout"))
                    : ProxyError(OpenAIError(status: 500, message: reason, type: "api_connection_error"))
            }
            self.complete(facts, trace: request.trace, span: span)
            span?.end()
            if let plan = request.cache, plan.group == group, facts.error == nil, summary.outcome == "completed",
                summary.isWhole, let response = facts.response
            {
                self.cache?.save(plan, body: response.byteBuffer(), modelID: deployment.id)
            }
        }
        return relay
    }
}

extension TextCompletion.Conversion {
    /// The conversion `operation` needs on `deployment`.
    init(_ operation: ProxyOperation, on deployment: ModelDeployment) {
        switch operation {
        case .completions where !deployment.takesTextCompletions: self = .chatToText
        case .chatCompletions where deployment.takesTextCompletions: self = .textToChat
        default: self = .none
        }
    }

    /// The operation the upstream is called with.
    func upstream(_ operation: ProxyOperation) -> ProxyOperation {
        switch self {
        case .none: operation
        case .chatToText: .chatCompletions
        case .textToChat: .completions
        }
    }
}
