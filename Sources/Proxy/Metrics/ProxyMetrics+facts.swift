import Foundation
import Wire

extension ProxyMetrics {
    /// A request's end, from its facts.
    func observe(_ facts: RequestFacts, spend: Double) {
        requestEnded()
        let now = Date()
        let usage = facts.usage
        observe(
            .init(
                route: facts.operation.route,
                requestedModel: facts.requestedModel ?? facts.deployment.modelName,
                deployment: facts.deployment,
                status: facts.error?.status ?? 200,
                errorClass: facts.error?.error.type,
                totalSeconds: now.timeIntervalSince(facts.startedAt),
                upstreamSeconds: facts.attemptStartedAt.map { now.timeIntervalSince($0) },
                firstTokenSeconds: facts.firstByteAt.map { $0.timeIntervalSince(facts.startedAt) },
                promptTokens: usage?["prompt_tokens"]?.tokenCount ?? 0,
                completionTokens: usage?["completion_tokens"]?.tokenCount ?? 0,
                reasoningTokens: usage?.value(at: "completion_tokens_details.reasoning_tokens")?.tokenCount ?? 0,
                spend: spend
            )
        )
        if let hit = facts.cacheHit { observeCache(facts, hit: hit) }
    }

    /// LiteLLM's cache counters, with its labels (`end_user` empty, as LiteLLM leaves it unless end-user tracking in
    /// Prometheus is turned on: a label per end user would grow without bound).
    func observeCache(_ facts: RequestFacts, hit: Bool) {
        var alias = ""
        if case .virtualKey(_, let name?, _) = facts.caller.kind { alias = name }
        let labels = [
            ("model", facts.deployment.model), ("hashed_api_key", facts.caller.keyHash), ("api_key_alias", alias),
            ("team", facts.caller.teamID ?? ""), ("team_alias", ""), ("end_user", ""),
            ("user", facts.caller.userID ?? ""), ("model_id", facts.deployment.id),
            ("api_provider", facts.deployment.provider.rawValue),
        ]
        guard hit else {
            registry.makeCounter(descriptor: MetricName.cacheMisses, labels: labels).increment()
            return
        }
        registry.makeCounter(descriptor: MetricName.cacheHits, labels: labels).increment()
        let tokens = facts.usage?["total_tokens"]?.tokenCount ?? 0
        registry.makeCounter(descriptor: MetricName.cachedTokens, labels: labels).increment(by: Int64(tokens))
    }

    /// A cache store operation (`lookup` or `store`) failed or timed out.
    public func cacheFailed(_ operation: String) {
        registry.makeCounter(descriptor: MetricName.cacheFailures, labels: [("operation", operation)]).increment()
    }
}
