import Foundation
import NIOConcurrencyHelpers
import Proxy
import Testing
import Wire

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    let start = ContinuousClock.now
    let offset = NIOLockedValueBox(Duration.zero)
    var now: ContinuousClock.Instant { start + offset.withLockedValue { $0 } }
    func advance(_ duration: Duration) { offset.withLockedValue { $0 += duration } }
}

@Suite struct RouterStrategyTests {
    static func router(_ settings: String, deployments: String? = nil, clock: ManualClock = ManualClock()) throws
        -> ModelRouter
    {
        let config = try ConfigLoader.parse(
            """
            model_list:
            \(deployments ?? """
              - {model_name: g, litellm_params: {model: openai/a, api_key: k}, model_info: {id: a}}
              - {model_name: g, litellm_params: {model: openai/b, api_key: k}, model_info: {id: b}}
              - {model_name: g, litellm_params: {model: openai/c, api_key: k}, model_info: {id: c}}
            """)
            router_settings: \(settings)
            """
        )
        return ModelRouter(config: config, state: RouterState(now: { clock.now }))
    }

    static func chosen(_ selection: ModelRouter.Selection) -> String? {
        if case .deployment(let deployment) = selection { return deployment.id }
        return nil
    }

    /// An end user's `allowed_model_region` keeps the pick to deployments whose `region_name` is that region.
    @Test func regionKeepsThePickInRegion() throws {
        let router = try Self.router(
            "{}",
            deployments: """
                  - {model_name: g, litellm_params: {model: openai/a, api_key: k}, model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b, api_key: k, region_name: EU}, model_info: {id: b}}
                """
        )
        for step in 0 ..< 10 {
            #expect(Self.chosen(router.select(group: "g", region: "eu", draw: Double(step) / 10)) == "b")
        }
        #expect(Self.chosen(router.select(group: "g", region: "us", draw: 0.5)) == nil)
        let unfiltered = Set((0 ..< 10).compactMap { Self.chosen(router.select(group: "g", draw: Double($0) / 10)) })
        #expect(unfiltered == ["a", "b"])
    }

    @Test func leastBusyPicksFewestInFlight() throws {
        let router = try Self.router("{routing_strategy: least-busy}")
        router.state.begin("a")
        router.state.begin("a")
        router.state.begin("c")
        #expect(Self.chosen(router.select(group: "g", draw: 0.9)) == "b")
        router.state.begin("b")
        router.state.begin("b")
        #expect(Self.chosen(router.select(group: "g", draw: 0.9)) == "c")
    }

    @Test func latencyBasedPicksFastestWithinBuffer() throws {
        let router = try Self.router(
            "{routing_strategy: latency-based-routing, routing_strategy_args: {ttl: 60, lowest_latency_buffer: 0.5}}"
        )
        for (id, latency) in [("a", 0.2), ("b", 0.25), ("c", 1.0)] {
            router.state.begin(id)
            router.state.succeeded(id, latency: latency, tokens: 10, ttl: 60)
        }
        // a (0.2) and b (0.25, within 50%) share the draws; c never.
        var seen = Set<String>()
        for step in 0 ..< 20 { seen.insert(Self.chosen(router.select(group: "g", draw: Double(step) / 20)) ?? "-") }
        #expect(seen == ["a", "b"])
    }

    @Test func latencySamplesExpireAfterTheirTTL() throws {
        let clock = ManualClock()
        let router = try Self.router(
            "{routing_strategy: latency-based-routing, routing_strategy_args: {ttl: 10}}",
            clock: clock
        )
        for (id, latency) in [("a", 0.9), ("b", 0.5), ("c", 0.1)] {
            router.state.begin(id)
            router.state.succeeded(id, latency: latency, tokens: 1, ttl: 10)
        }
        #expect(Self.chosen(router.select(group: "g", draw: 0)) == "c")
        clock.advance(.seconds(11))
        router.state.begin("a")
        router.state.succeeded("a", latency: 0.05, tokens: 1, ttl: 10)
        // b's and c's samples are stale (no data counts as 0, so they are tried again), a's new one is fast.
        #expect(Self.chosen(router.select(group: "g", draw: 0)) != nil)
        #expect(router.state.snapshot("a").latencies.count == 1)
    }

    @Test func usageBasedSkipsDeploymentsWithoutCapacity() throws {
        let router = try Self.router(
            "{routing_strategy: usage-based-routing-v2}",
            deployments: """
                  - {model_name: g, litellm_params: {model: openai/a, api_key: k, tpm: 1000, rpm: 2}, \
                model_info: {id: a}}
                  - {model_name: g, litellm_params: {model: openai/b, api_key: k, tpm: 1000, rpm: 100}, \
                model_info: {id: b}}
                """
        )
        router.state.begin("b")
        router.state.succeeded("b", latency: 0.1, tokens: 900, ttl: 60)
        #expect(Self.chosen(router.select(group: "g", estimatedTokens: 50, draw: 0.5)) == "a")
        router.state.begin("a")
        router.state.begin("a")
        // a's rpm (2) is used up; b has 100 tokens left, not 200.
        #expect(Self.chosen(router.select(group: "g", estimatedTokens: 50, draw: 0.5)) == "b")
        guard case .noneAvailable(let retryAfter, _) = router.select(group: "g", estimatedTokens: 200, draw: 0.5) else {
            Issue.record("expected no deployment")
            return
        }
        #expect(retryAfter >= 1 && retryAfter <= 60)
    }

    @Test func costBasedPicksCheapest() throws {
        let router = try Self.router(
            "{routing_strategy: cost-based-routing}",
            deployments: """
                  - {model_name: g, litellm_params: {model: azure/o1, api_base: 'https://x.openai.azure.com', \
                api_key: k}, model_info: {id: expensive}}
                  - {model_name: g, litellm_params: {model: azure/gpt-4o-mini, api_base: 'https://x.openai.azure.com', \
                api_key: k}, model_info: {id: cheap}}
                """
        )
        #expect(Self.chosen(router.select(group: "g", draw: 0.99)) == "cheap")
    }

    @Test func cooldownsAndTheirEnd() throws {
        let clock = ManualClock()
        let router = try Self.router("{cooldown_time: 5, allowed_fails: 1}", clock: clock)
        let settings = router.settings
        // A 429 with retry-after 30 cools for 30 s; a 401 at once for cooldown_time; a 500 only after allowed_fails.
        #expect(
            router.state.failed(
                "a",
                status: 429,
                failure: .rateLimit,
                retryAfter: 30,
                settings: settings,
                cooling: true
            )
        )
        #expect(
            router.state.failed(
                "b",
                status: 401,
                failure: .authentication,
                retryAfter: nil,
                settings: settings,
                cooling: true
            )
        )
        #expect(
            !router.state.failed(
                "c",
                status: 500,
                failure: .internalServer,
                retryAfter: nil,
                settings: settings,
                cooling: true
            )
        )
        #expect(Self.chosen(router.select(group: "g", draw: 0.1)) == "c")
        #expect(
            router.state.failed(
                "c",
                status: 500,
                failure: .internalServer,
                retryAfter: nil,
                settings: settings,
                cooling: true
            )
        )
        guard case .noneAvailable(let retryAfter, let cooling) = router.select(group: "g", draw: 0.1) else {
            Issue.record("expected every deployment cooling")
            return
        }
        #expect(retryAfter == 5)
        #expect(Set(cooling) == ["a", "b", "c"])
        clock.advance(.seconds(6))
        #expect(Set(["b", "c"]).contains(Self.chosen(router.select(group: "g", draw: 0.1)) ?? "-"))
        clock.advance(.seconds(25))
        #expect(router.state.coolingUntil("a") == nil)
        // A single-deployment group is never cooled.
        #expect(
            !router.state.failed(
                "solo",
                status: 429,
                failure: .rateLimit,
                retryAfter: 5,
                settings: settings,
                cooling: false
            )
        )
    }

    @Test func retriesPreferAnotherDeployment() throws {
        let router = try Self.router("{}")
        let first = try #require(Self.chosen(router.select(group: "g", draw: 0.0)))
        let second = try #require(Self.chosen(router.select(group: "g", tried: [first], draw: 0.0)))
        #expect(second != first)
        #expect(Self.chosen(router.select(group: "g", tried: ["a", "b", "c"], draw: 0.0)) != nil)
    }

    @Test func waitsHonourRetryAfterElseBackOff() {
        #expect(RetryClass.wait(beforeRetry: 0, headers: [("retry-after", "3")], jitter: 0.5) == .seconds(3))
        #expect(
            RetryClass.wait(beforeRetry: 0, headers: [("retry-after-ms", "1500"), ("retry-after", "9")], jitter: 0.5)
                == .milliseconds(1500)
        )
        // Beyond 60 s the hint is ignored: 0.5·2ⁿ s capped at 8 s, plus up to 0.75 s of jitter.
        #expect(RetryClass.wait(beforeRetry: 0, headers: [("retry-after", "120")], jitter: 0) == .milliseconds(500))
        #expect(RetryClass.wait(beforeRetry: 2, headers: [], jitter: 0) == .seconds(2))
        #expect(RetryClass.wait(beforeRetry: 9, headers: [], jitter: 1) == .milliseconds(8750))
        #expect(RetryClass.of(status: 400, code: "content_filter") == .contentPolicy)
        #expect(RetryClass.of(status: 400, code: "context_length_exceeded") == .contextWindow)
        #expect(RetryClass.of(status: 503, code: nil).retriedByDefault)
        #expect(!RetryClass.of(status: 400, code: nil).retriedByDefault)
    }

    @Test func settingsParseAndRejectUnknownStrategies() throws {
        let config = try ConfigLoader.parse(
            """
            model_list: [{model_name: g, litellm_params: {model: openai/a, api_key: k}}]
            router_settings:
              routing_strategy: usage-based-routing
              num_retries: 4
              retry_policy: {RateLimitErrorRetries: 1, BadRequestErrorRetries: 0}
              fallbacks: [{g: [h, i]}]
              content_policy_fallbacks: [{g: [safe]}]
              max_fallbacks: 1
            litellm_settings: {default_fallbacks: [z]}
            """
        )
        let settings = config.settings.router
        #expect(settings.strategy == .usageBased)
        #expect(settings.numRetries == 4)
        #expect(settings.retryPolicy == [.rateLimit: 1, .badRequest: 0])
        #expect(settings.fallbackGroups(for: "g", after: .internalServer) == ["h"])
        #expect(settings.fallbackGroups(for: "g", after: .contentPolicy) == ["safe"])
        #expect(settings.fallbackGroups(for: "other", after: .rateLimit) == ["z"])
        #expect(settings.fallbackGroups(for: "g", after: .badRequest).isEmpty)
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("model_list: []\nrouter_settings: {routing_strategy: fastest}")
        }
        do {
            _ = try ConfigLoader.parse("model_list: []\nrouter_settings: {fallbacks: {g: 3}}")
            Issue.record("expected a config error")
        } catch {
            #expect(error.keyPath == "router_settings.fallbacks.g")
        }
    }
}
