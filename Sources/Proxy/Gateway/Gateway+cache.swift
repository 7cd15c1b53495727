import Foundation
import NIOCore
import Wire

extension Gateway {
    /// What the response cache does for the request, nil without a cache or when it does not cover the request.
    func cachePlan(_ request: GatewayRequest, group: String) -> CachePlan? {
        guard let cache else { return nil }
        return CachePlan(
            body: request.body,
            operation: request.call.operation,
            isStream: request.isStream,
            group: group,
            caller: request.caller,
            cacheControl: request.call.header("cache-control"),
            settings: cache.settings
        )
    }

    /// A cache hit, as LiteLLM answers one: the stored body (its `id`, `created` and `usage`), replayed as chunks for
    /// a stream; `x-litellm-cache-key`, a cost of 0, and a spend row marked as a hit. nil when the entry is unreadable
    /// or its deployment is gone (the request then goes upstream).
    func served(_ hit: CachedAnswer, plan: CachePlan, request: GatewayRequest, group: String) -> ProxyOutcome? {
        // Only the group's own deployments answer for it (an entry is stored by the group that made it).
        guard let answer = try? JSON.parse(hit.body), answer.objectValue != nil,
            let deployment = router.deployment(id: hit.modelID) ?? router.deployments(for: group)?.first,
            deployment.modelName == group
        else { return nil }
        var facts = request.facts(on: deployment, counts: AttemptCounts())
        // The router learns nothing from a hit: no deployment was called.
        facts.attemptStartedAt = nil
        facts.firstByteAt = Date()
        facts.response = answer
        let usage = answer["usage"].flatMap { $0.isNull ? nil : $0 }
        facts.usage = request.call.operation == .responses ? ResponsesShaper.chatUsage(usage) : usage
        facts.upstreamModel = answer["model"]?.stringValue
        facts.cost = 0
        facts.cacheHit = true
        var headers =
            request.baseHeaders
            + ResponseBuilder.headers(deployment: deployment, group: group, apiBase: "", upstream: [:])
            + AttemptCounts().headers
        headers += Self.appliedGuardrails(request)
        headers.append(("x-litellm-cache-key", plan.key))
        headers.append(("x-litellm-response-cost", "0.0"))
        let total = ContinuousClock.now - request.call.started
        headers.append(("x-litellm-response-duration-ms", NumberText.milliseconds(total)))
        headers.append(("x-litellm-overhead-duration-ms", NumberText.milliseconds(total)))
        complete(facts, trace: request.trace)
        if request.isStream {
            let events = CachedStream.events(answer, clientWantsUsage: request.clientWantsUsage)
            return .complete(status: 200, headers: ResponseBuilder.streamHeaders(headers), body: events)
        }
        return .complete(
            status: 200,
            headers: [("content-type", "application/json")] + headers,
            body: ByteBuffer(bytes: hit.body)
        )
    }
}
