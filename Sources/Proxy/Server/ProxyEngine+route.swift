import Foundation
import Logging
import Wire

/// A validated request on its way through the router.
struct RoutedRequest: Sendable {
    var call: ProxyCall
    var body: JSONObject
    var model: String
    var caller: Caller
    var callID: String
    var baseHeaders: [(String, String)]
    var isStream: Bool
    var clientWantsUsage: Bool
    /// The request's own `num_retries`, which wins over the config's.
    var requestedRetries: Int?
    var logger: Logger
}

/// Retries and fallbacks made so far, reported in `x-litellm-attempted-*` and the spend row.
struct AttemptCounts: Sendable {
    var retries = 0
    var fallbacks = 0

    var headers: [(String, String)] {
        [("x-litellm-attempted-retries", String(retries)), ("x-litellm-attempted-fallbacks", String(fallbacks))]
    }
}

extension ProxyEngine {
    /// The router's loop: the group with its retries, then (on failure) each fallback group of the failure's class
    /// with its own retries. One spend row for the whole request: the answer's, or the last failure's.
    func route(_ request: RoutedRequest, group: String) async -> ProxyOutcome {
        var counts = AttemptCounts()
        var last: (error: ProxyError, deployment: ModelDeployment)
        switch await attempt(request, group: group, counts: &counts) {
        case .success(let outcome): return outcome
        case .failure(let failure): last = (failure.error, failure.deployment)
        }
        for fallback in router.settings.fallbackGroups(for: group, after: last.error.retryClass)
        where router.groups[fallback] != nil {
            counts.fallbacks += 1
            request.logger.info(
                "falling back",
                metadata: ["from": "\(group)", "to": "\(fallback)", "status": "\(last.error.status)"]
            )
            switch await attempt(request, group: fallback, counts: &counts) {
            case .success(let outcome): return outcome
            case .failure(let failure): last = (failure.error, failure.deployment)
            }
        }
        var finished = started(request, deployment: last.deployment)
        finished.attemptStartedAt = nil
        finished.error = last.error
        finished.retries = counts.retries
        finished.fallbacks = counts.fallbacks
        complete(finished)
        return .error(last.error, headers: request.baseHeaders + counts.headers)
    }

    struct GroupFailure: Error {
        var error: ProxyError
        var deployment: ModelDeployment
    }

    /// One group: pick a deployment, call it, and on a retryable failure wait (not at all when another deployment
    /// of the group is available; else the upstream's retry-after or exponential backoff) and try again.
    func attempt(_ request: RoutedRequest, group: String, counts: inout AttemptCounts) async -> Result<
        ProxyOutcome, GroupFailure
    > {
        let settings = router.settings
        let deployments = router.groups[group] ?? []
        var tried = Set<String>()
        var retry = 0
        let tokens = settings.checksLimits ? TokenEstimate.prompt(of: ChatRequest(body: .object(request.body))) : 0
        while true {
            let draw = Double.random(in: 0 ..< 1)  // the system generator: thread-safe, no lock needed
            let deployment: ModelDeployment
            switch router.select(group: group, tried: tried, estimatedTokens: tokens, draw: draw) {
            case .deployment(let chosen): deployment = chosen
            case .noneAvailable(let retryAfter, let cooling):
                let error = ProxyError.noDeployments(
                    model: group,
                    retryAfter: retryAfter,
                    preCallChecks: settings.checksLimits,
                    cooling: cooling
                )
                return .failure(GroupFailure(error: error, deployment: deployments[0]))
            }
            tried.insert(deployment.id)
            router.state.begin(deployment.id)
            var finished = started(request, deployment: deployment)
            finished.retries = counts.retries
            finished.fallbacks = counts.fallbacks
            do {
                let outcome = try await exchange(
                    request,
                    deployment: deployment,
                    group: group,
                    attempts: counts,
                    finished: finished
                )
                metrics?.attempt(deployment, failedWith: nil, errorClass: nil, cooled: false)
                return .success(outcome)
            } catch let failed {
                let error = failed
                let failure = error.retryClass ?? .badRequest
                let cooled = router.state.failed(
                    deployment.id,
                    status: error.status,
                    failure: failure,
                    retryAfter: RetryClass.retryAfter(error.headers),
                    settings: settings,
                    cooling: deployments.count > 1
                )
                metrics?.attempt(deployment, failedWith: error.status, errorClass: error.error.type, cooled: cooled)
                let allowed =
                    settings.retryPolicy[failure]
                    ?? (failure.retriedByDefault ? (request.requestedRetries ?? settings.numRetries) : 0)
                guard error.retryClass != nil, retry < allowed, !Task.isCancelled else {
                    return .failure(GroupFailure(error: error, deployment: deployment))
                }
                let elsewhere = deployments.contains {
                    !tried.contains($0.id) && router.state.coolingUntil($0.id) == nil
                }
                let jitter = Double.random(in: 0 ..< 1)
                let wait =
                    elsewhere ? .zero : RetryClass.wait(beforeRetry: retry, headers: error.headers, jitter: jitter)
                request.logger.info(
                    "retrying",
                    metadata: [
                        "status": "\(error.status)", "model_id": "\(deployment.id)",
                        "wait_ms":
                            "\(wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)",
                    ]
                )
                if wait > .zero {
                    do {
                        try await sleep(wait)
                    } catch {
                        return .failure(GroupFailure(error: failed, deployment: deployment))
                    }
                }
                retry += 1
                counts.retries += 1
                if elsewhere == false { tried.removeAll() }
            }
        }
    }

    /// Request keys that carry credentials: never stored in a spend row (the upstream call drops them too).
    static let credentialKeys: Set<String> = [
        "api_key", "azure_ad_token", "client_secret", "secret_fields", "aws_secret_access_key", "vertex_credentials",
    ]

    /// What the spend row knows when an attempt starts (the request without credentials a client may have put in it).
    func started(_ request: RoutedRequest, deployment: ModelDeployment) -> SpendRecorder.Finished {
        var body = request.body
        for key in ProxyEngine.credentialKeys where body[key] != nil { body[key] = "***" }
        var finished = SpendRecorder.Finished(
            callID: request.callID,
            operation: request.call.operation,
            caller: request.caller,
            deployment: deployment,
            request: body,
            startedAt: request.call.startedAt,
            firstByteAt: nil,
            clientIP: request.call.clientIP,
            response: nil,
            usage: nil,
            upstreamModel: nil,
            error: nil,
            attemptStartedAt: Date()
        )
        finished.requestedModel = request.model
        return finished
    }
}
