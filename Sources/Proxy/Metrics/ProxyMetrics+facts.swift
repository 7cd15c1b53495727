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
    }
}
