import Logging

/// Retries and fallbacks made so far, reported in `x-litellm-attempted-*` and the spend row.
public struct AttemptCounts: Sendable {
    public var retries = 0
    public var fallbacks = 0
    /// The retry budget of the last retried group (`x-litellm-max-retries`, sent once a retry ran, as LiteLLM).
    public var maxRetries = 0

    public var headers: [(String, String)] {
        [("x-litellm-attempted-retries", String(retries)), ("x-litellm-attempted-fallbacks", String(fallbacks))]
            + (retries > 0 ? [("x-litellm-max-retries", String(maxRetries))] : [])
    }
}

/// How one request is retried: its own `num_retries` (which wins over the config's) and `fallbacks` (which replace
/// the config's generic ones), a failure LiteLLM's testing parameters ask of its own group, the prompt's estimated
/// tokens for the pre-call checks, and how to wait between tries (tests inject a clock).
struct RetryPlan: Sendable {
    var requestedRetries: Int?
    var requestedFallbacks: [String]? = nil
    /// `mock_testing_*fallbacks`: the request's own group fails with this before any upstream call.
    var primaryFailure: ProxyError? = nil
    var estimatedTokens: Int
    /// The end user's `allowed_model_region`: only deployments in it are picked.
    var region: String? = nil
    /// The request's tags, for tag-based routing.
    var tags: RoutingTags? = nil
    var sleep: @Sendable (Duration) async throws -> Void
    var logger: Logger
}

/// The last failure of a request nothing answered, with the deployment that gave it.
struct RouteFailure: Error {
    var error: ProxyError
    var deployment: ModelDeployment
    var counts: AttemptCounts
}

extension ModelRouter {
    /// The group with its retries, then (on failure) each fallback group of the failure's class with its own
    /// retries. `attempt` makes one call on one deployment; `observed` hears of each attempt's end (its error, and
    /// whether the deployment went cooling).
    func route<Answer: Sendable>(
        group: String,
        plan: RetryPlan,
        observed: (ModelDeployment, ProxyError?, Bool) -> Void,
        attempt: (ModelDeployment, String, AttemptCounts) async throws(ProxyError) -> Answer
    ) async -> Result<Answer, RouteFailure> {
        var counts = AttemptCounts()
        var last: RouteFailure
        if let failure = plan.primaryFailure, let first = groups[group]?.first {
            last = RouteFailure(error: failure, deployment: first, counts: counts)
        } else {
            switch await tryGroup(group, plan: plan, counts: &counts, observed: observed, attempt: attempt) {
            case .success(let answer): return .success(answer)
            case .failure(let failure): last = failure
            }
        }
        let fallbacks = settings.fallbackGroups(
            for: group,
            after: last.error.retryClass,
            requested: plan.requestedFallbacks
        )
        for fallback in fallbacks where groups[fallback] != nil {
            counts.fallbacks += 1
            plan.logger.info(
                "falling back",
                metadata: ["from": "\(group)", "to": "\(fallback)", "status": "\(last.error.status)"]
            )
            switch await tryGroup(fallback, plan: plan, counts: &counts, observed: observed, attempt: attempt) {
            case .success(let answer): return .success(answer)
            case .failure(let failure): last = failure
            }
        }
        last.counts = counts
        return .failure(last)
    }

    /// One group: pick a deployment, call it, and on a retryable failure wait (not at all when another deployment
    /// of the group is available; else the upstream's retry-after or exponential backoff) and try again.
    func tryGroup<Answer: Sendable>(
        _ group: String,
        plan: RetryPlan,
        counts: inout AttemptCounts,
        observed: (ModelDeployment, ProxyError?, Bool) -> Void,
        attempt: (ModelDeployment, String, AttemptCounts) async throws(ProxyError) -> Answer
    ) async -> Result<Answer, RouteFailure> {
        let deployments = groups[group] ?? []
        var tried = Set<String>()
        var retry = 0
        while true {
            // The system generator (thread-safe, no lock) is a system call: only drawn when there is a choice.
            let draw = deployments.count > 1 ? Double.random(in: 0 ..< 1) : 0
            let deployment: ModelDeployment
            switch select(
                group: group,
                tried: tried,
                estimatedTokens: plan.estimatedTokens,
                region: plan.region,
                tags: plan.tags,
                draw: draw
            ) {
            case .deployment(let chosen): deployment = chosen
            case .noneAvailable(let retryAfter, let cooling):
                let error = ProxyError.noDeployments(
                    model: group,
                    retryAfter: retryAfter,
                    preCallChecks: settings.checksLimits,
                    cooling: cooling
                )
                return .failure(RouteFailure(error: error, deployment: deployments[0], counts: counts))
            case .refused(let error):
                return .failure(RouteFailure(error: error, deployment: deployments[0], counts: counts))
            }
            tried.insert(deployment.id)
            state.begin(deployment.id)
            let error: ProxyError
            do {
                let answer = try await attempt(deployment, group, counts)
                observed(deployment, nil, false)
                return .success(answer)
            } catch let failed {
                error = failed
            }
            let failure = error.retryClass ?? .badRequest
            let cooled = state.failed(
                deployment.id,
                status: error.status,
                failure: failure,
                retryAfter: RetryClass.retryAfter(error.headers),
                settings: settings,
                cooling: deployments.count > 1
            )
            observed(deployment, error, cooled)
            let allowed =
                settings.retryPolicy[failure]
                ?? (failure.retriedByDefault
                    ? (plan.requestedRetries ?? deployment.numRetries ?? settings.numRetries) : 0)
            guard error.retryClass != nil, retry < allowed, !Task.isCancelled else {
                return .failure(RouteFailure(error: error, deployment: deployment, counts: counts))
            }
            let elsewhere = deployments.contains { !tried.contains($0.id) && state.coolingUntil($0.id) == nil }
            let jitter = Double.random(in: 0 ..< 1)
            let wait = elsewhere ? .zero : RetryClass.wait(beforeRetry: retry, headers: error.headers, jitter: jitter)
            plan.logger.info(
                "retrying",
                metadata: [
                    "status": "\(error.status)", "model_id": "\(deployment.id)",
                    "wait_ms":
                        "\(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)",
                ]
            )
            if wait > .zero {
                do {
                    try await plan.sleep(wait)
                } catch _ {
                    return .failure(RouteFailure(error: error, deployment: deployment, counts: counts))
                }
            }
            retry += 1
            counts.retries += 1
            counts.maxRetries = allowed
            if elsewhere == false { tried.removeAll() }
        }
    }
}
