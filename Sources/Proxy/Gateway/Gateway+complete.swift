import Foundation
import Logging
import Tracing
import Wire

extension Gateway {
    /// A request is over: its spend row, its key's spend and limits, the router's view of the deployment, metrics.
    /// With a trace: the spend write in its span, and the facts on the attempt's span and the server span (where
    /// LiteLLM puts them).
    func complete(_ facts: RequestFacts, trace: RequestTrace? = nil, span: (any Span)? = nil) {
        let writing = trace?.start("spend_write")
        let recorded = spend?.record(facts)
        writing?.end()
        trace?.record(facts, cost: recorded?.spend, on: span)
        let tokens = recorded?.tokens ?? facts.usage?["total_tokens"]?.tokenCount ?? 0
        keys?.release(facts.caller, tokens: tokens, spend: recorded?.spend ?? 0)
        if let metrics {
            metrics.observe(facts, spend: recorded?.spend ?? 0, limits: keys?.usage(of: facts.caller) ?? [])
        }
        // The router learns the attempt's latency (time to first byte for streams) and tokens. A failed attempt was
        // already counted by the router when it failed (and `attemptStartedAt` is then nil).
        if let attemptStarted = facts.attemptStartedAt {
            if facts.error == nil {
                let latency = (facts.firstByteAt ?? Date()).timeIntervalSince(attemptStarted)
                router.state.succeeded(
                    facts.deployment.id,
                    latency: latency,
                    tokens: tokens,
                    ttl: router.settings.latencyTTL
                )
            } else {
                router.state.abandoned(facts.deployment.id)
            }
        }
    }

    /// Nothing answered: one row for the whole request, with the last failure.
    func failed(_ request: GatewayRequest, _ failure: RouteFailure) -> ProxyOutcome {
        var facts = request.facts(on: failure.deployment, counts: failure.counts)
        facts.attemptStartedAt = nil
        facts.error = failure.error
        complete(facts, trace: request.trace)
        // LiteLLM names the timeout the last attempt had on every error answer.
        let timeout = ("x-litellm-timeout", timeout(of: failure.deployment, request: request).text)
        return .error(failure.error, headers: request.baseHeaders + failure.counts.headers + [timeout])
    }

    /// An attempt ended (`error` nil: it answered). Its labels are made here, only when metrics are on.
    func attemptEnded(
        _ call: ProxyCall,
        _ caller: Caller,
        _ group: String,
        _ deployment: ModelDeployment,
        _ error: ProxyError?,
        cooled: Bool
    ) {
        guard let metrics else { return }
        var labels = RequestLabels(call, caller: caller, group: group)
        labels.deployment(deployment)
        metrics.attempt(labels, failedWith: error, cooled: cooled)
    }

    /// Refused before any upstream call (no key, a bad body, an unknown model, a limit). The model, as sent, is
    /// named when the router knows it, else `other` (LiteLLM's bounded label).
    func refused(
        _ call: ProxyCall,
        _ error: ProxyError,
        caller: Caller?,
        model: String?,
        headers: [(String, String)],
        logger: Logger
    ) -> ProxyOutcome {
        logger.info("request refused", metadata: ["status": "\(error.status)", "route": "\(call.route)"])
        if let metrics {
            let known = model.map { router.groupName(for: caller?.teamAliases[$0] ?? $0) == nil ? "other" : $0 }
            var labels = RequestLabels(call, caller: caller, group: known)
            labels.failed(error, provider: nil)
            metrics.refused(labels)
        }
        return .error(error, headers: headers)
    }
}
