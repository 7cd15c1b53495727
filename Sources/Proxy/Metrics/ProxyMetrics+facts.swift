import Foundation
import Wire

extension ProxyMetrics {
    /// A routed request's end (LiteLLM's success callback, or its failure hook when no attempt answered).
    func observe(_ facts: RequestFacts, spend cost: Double, limits: [LimitUsage] = []) {
        requestEnded()
        let labels = RequestLabels(facts, endUserLabels: settings.endUserLabels)
        if facts.error == nil {
            answered(facts, labels: labels)
        } else {
            failed(labels)
        }
        // An answer refused or cut after the upstream billed it still has its spend and tokens, as in the spend row.
        guard facts.error == nil || facts.usage != nil else { return }
        llmRequests(labels)?.increment()
        if cost.isFinite, cost >= 0 { spend(labels)?.increment(by: cost) }
        let usage = facts.usage
        let prompt = usage?["prompt_tokens"]?.tokenCount ?? 0
        let completion = usage?["completion_tokens"]?.tokenCount ?? 0
        inputTokens(labels)?.increment(by: Int64(prompt))
        outputTokens(labels)?.increment(by: Int64(completion))
        totalTokens(labels)?.increment(by: Int64(usage?["total_tokens"]?.tokenCount ?? prompt + completion))
        if let reasoning = usage?.value(at: "completion_tokens_details.reasoning_tokens")?.tokenCount, reasoning > 0 {
            reasoningTokens(labels)?.increment(by: Int64(reasoning))
        }
        if let cached = usage?.value(at: "prompt_tokens_details.cached_tokens")?.tokenCount, cached > 0 {
            cachedInputTokens(labels)?.increment(by: Int64(cached))
        }
        budgets(facts.caller.account, labels: labels, cost: cost.isFinite ? cost : 0)
        rateLimits(limits, labels: labels)
    }

    /// LiteLLM's rate-limit gauges of the key and its team: each limit (rpm as `requests`, tpm as `tokens`) and what
    /// this minute used of it, this request included.
    func rateLimits(_ limits: [LimitUsage], labels: RequestLabels) {
        for usage in limits {
            guard let gauges = rateLimits[usage.limit.name] else { continue }
            var labels = labels
            for (type, allowed, used) in [
                ("requests", usage.limit.rpm, usage.requests), ("tokens", usage.limit.tpm, usage.tokens),
            ] {
                guard let allowed else { continue }
                labels.rateLimitType = type
                gauges.allowed(labels, overflow: false)?.set(Double(allowed))
                gauges.used(labels, overflow: false)?.set(Double(used))
            }
        }
    }

    /// What only an answered request has: its count, latencies, Azure's remaining quota, the cache's part.
    func answered(_ facts: RequestFacts, labels: RequestLabels) {
        let now = Date()
        requests(labels)?.increment()
        requestLatency(labels)?.record(now.timeIntervalSince(facts.startedAt))
        if let started = facts.attemptStartedAt {
            upstreamLatency(labels)?.record(now.timeIntervalSince(started))
            if facts.streamOutcome != nil, let first = facts.firstByteAt {
                timeToFirstToken(labels)?.record(first.timeIntervalSince(started))
            }
        }
        for (isRequests, family) in remaining {
            if let value = isRequests ? facts.remainingRequests : facts.remainingTokens {
                family(labels, overflow: false)?.set(value)
            }
        }
        if let overhead = facts.overhead, overhead > 0 { overheadLatency(labels)?.record(overhead) }
        if let queued = facts.queueTime, queued >= 0 { queueTime(labels)?.record(queued) }
        if let rpm = facts.deployment.rpm { deploymentLimits.rpm(labels, overflow: false)?.set(Double(rpm)) }
        if let tpm = facts.deployment.tpm { deploymentLimits.tpm(labels, overflow: false)?.set(Double(tpm)) }
        if let hit = facts.cacheHit { (hit ? cacheHits : cacheMisses)(labels)?.increment() }
        if facts.cacheHit == true, let total = facts.usage?["total_tokens"]?.tokenCount, total > 0 {
            cachedTokens(labels)?.increment(by: Int64(total))
        }
    }

    /// A request refused before any upstream call (no key, a bad body, an unknown model, a limit).
    func refused(_ labels: RequestLabels) {
        requestEnded()
        failed(labels)
    }

    /// LiteLLM's failure hook: the request counted once in all requests and once in failures. Its key is not named
    /// on a 401 (the key was not one).
    func failed(_ labels: RequestLabels) {
        var labels = labels
        if labels.statusCode == "401" { labels.hashedAPIKey = RequestLabels.none }
        requests(labels)?.increment()
        failedRequests(labels)?.increment()
    }

    /// One upstream attempt on a deployment (retries and fallbacks included): its counters and its state, 0 healthy,
    /// 1 failing, 2 cooled down.
    func attempt(_ request: RequestLabels, failedWith error: ProxyError?, cooled: Bool) {
        deploymentAttempts(request)?.increment()
        guard let error else {
            deploymentSuccesses(request)?.increment()
            deploymentState(request, overflow: false)?.set(Double(0))
            return
        }
        var labels = request
        labels.failed(error, provider: request.apiProvider)
        deploymentFailures(labels)?.increment()
        llmFailedRequests(labels)?.increment()
        deploymentState(labels, overflow: false)?.set(Double(cooled ? 2 : 1))
        if cooled { deploymentCooldowns(labels)?.increment() }
    }

    /// LiteLLM's budget gauges: remaining = budget − (spend at authentication + this request's cost), +Inf without a
    /// budget; the budget and the hours to its reset when known. Aliases are "" when missing, as LiteLLM sets them.
    func budgets(_ account: CallerAccount, labels: RequestLabels, cost: Double) {
        var labels = labels
        if labels.apiKeyAlias == RequestLabels.none { labels.apiKeyAlias = "" }
        if labels.teamAlias == RequestLabels.none { labels.teamAlias = "" }
        let now = Date()
        for (budget, gauges, named) in [
            (account.key, keyBudget, labels.hashedAPIKey), (account.team, teamBudget, labels.team),
            (account.user, userBudget, labels.user),
        ] {
            guard let budget, named != RequestLabels.none else { continue }
            gauges.remaining(labels, overflow: false)?.set(budget.max.map { $0 - (budget.spend + cost) } ?? .infinity)
            if let max = budget.max { gauges.max(labels, overflow: false)?.set(max) }
            if let reset = budget.resetAt {
                gauges.hours(labels, overflow: false)?.set(reset.timeIntervalSince(now) / 3600)
            }
        }
    }
}
