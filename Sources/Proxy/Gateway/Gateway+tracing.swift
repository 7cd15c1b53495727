import Tracing
import Wire

/// Where the request path opens and closes its spans (RequestTrace): nothing here runs when tracing is off.
extension Gateway {
    /// `work` in a child span of the request named `name`, or just `work` without a trace.
    static func traced<T>(
        _ trace: RequestTrace?,
        _ name: String,
        _ work: () async throws(ProxyError) -> T
    ) async throws(ProxyError) -> T {
        guard let trace else { return try await work() }
        return try await trace.span(name, work)
    }

    /// The server span ends with the answer: now for a complete one, at its last byte for a stream or a relay.
    func finishing(_ outcome: ProxyOutcome, _ trace: RequestTrace) -> ProxyOutcome {
        switch outcome {
        case .complete(let status, _, _):
            trace.finish(status: status)
            return outcome
        case .stream(let headers, var relay):
            let finished = relay.onFinish
            relay.onFinish = { summary in
                finished(summary)
                trace.finish(status: 200)
            }
            return .stream(headers: headers, relay: relay)
        case .forward(let status, let headers, var relay):
            let finished = relay.onFinish
            relay.onFinish = { summary in
                finished(summary)
                trace.finish(status: status)
            }
            return .forward(status: status, headers: headers, relay: relay)
        }
    }

    /// One attempt in its span (LiteLLM's `litellm_request`, a client span under the router's): the deployment,
    /// then the answer's model, tokens, cost and finish reasons, or the failure the router retries or falls back
    /// on. A stream's span ends with the stream.
    func attempt(
        _ request: GatewayRequest,
        on deployment: ModelDeployment,
        group: String,
        counts: AttemptCounts,
        under parent: (any Span)?
    ) async throws(ProxyError) -> ProxyOutcome {
        guard let trace = request.trace else {
            return try await attemptOnce(request, on: deployment, group: group, counts: counts, span: nil)
        }
        let span = trace.start("litellm_request", under: parent, kind: .client)
        span.add([
            "litellm.model_id": .string(deployment.id), "litellm.model_group": .string(group),
            "gen_ai.request.model": .string(request.model), "litellm.retries": .int64(Int64(counts.retries)),
            "litellm.fallbacks": .int64(Int64(counts.fallbacks)),
        ])
        do {
            let outcome = try await attemptOnce(request, on: deployment, group: group, counts: counts, span: span)
            if case .stream = outcome { return outcome }
            if case .complete(let status, _, _) = outcome, status >= 400 {
                // Refused after the call (a guardrail): the attempt did not give the client its answer.
                span.add(["http.response.status_code": .int64(Int64(status))])
                span.setStatus(SpanStatus(code: .error))
            }
            span.end()
            return outcome
        } catch {
            span.failed(error)
            span.end()
            throw error
        }
    }
}
