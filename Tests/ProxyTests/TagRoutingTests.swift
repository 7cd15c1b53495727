import Proxy
import Testing

/// Tag-based routing as LiteLLM 1.110.2 does it, on the router alone: which deployments a request's tags reach.
@Suite struct TagRoutingTests {
    /// `paid` (tags paid, eu), `free` (tags free, default), `plain` (no tags), `cli` (a user-agent pattern).
    static let deployments = """
          - {model_name: g, litellm_params: {model: openai/a, api_key: k, tags: [paid, eu]}, model_info: {id: paid}}
          - {model_name: g, litellm_params: {model: openai/b, api_key: k, tags: [free, default]},
             model_info: {id: free}}
          - {model_name: g, litellm_params: {model: openai/c, api_key: k}, model_info: {id: plain}}
          - {model_name: g, litellm_params: {model: openai/d, api_key: k, tag_regex: ["^User-Agent: claude-code/"]},
             model_info: {id: cli}}
        """

    static func router(_ settings: String = "{enable_tag_filtering: true}", deployments: String = deployments) throws
        -> ModelRouter
    {
        try RouterStrategyTests.router(settings, deployments: deployments)
    }

    /// Every deployment a request with these tags may land on (ten draws), or nil when the tags are refused.
    static func reach(_ router: ModelRouter, _ tags: RoutingTags) -> Set<String>? {
        var seen = Set<String>()
        for step in 0 ..< 10 {
            switch router.select(group: "g", tags: tags, draw: Double(step) / 10) {
            case .deployment(let deployment): seen.insert(deployment.id)
            case .refused: return nil
            case .noneAvailable: return []
            }
        }
        return seen
    }

    @Test func tagsPickTheirDeploymentsAndUntaggedRequestsTheDefault() throws {
        let router = try Self.router()
        #expect(Self.reach(router, RoutingTags(tags: ["paid"])) == ["paid"])
        #expect(Self.reach(router, RoutingTags(tags: ["paid", "free"])) == ["paid", "free"])
        #expect(Self.reach(router, RoutingTags(tags: [])) == ["free"])
        // A tag no deployment has: the default-tagged ones serve.
        #expect(Self.reach(router, RoutingTags(tags: ["gold"])) == ["free"])
    }

    @Test func filteringIsOffUnlessTheRouterOrTheGroupTurnsItOn() throws {
        let off = try Self.router("{}")
        #expect(Self.reach(off, RoutingTags(tags: ["paid"])) == ["paid", "free", "plain", "cli"])
        let groupOn = try Self.router(
            "{}",
            deployments: """
                  - {model_name: g, litellm_params: {model: openai/a, api_key: k, tags: [paid]},
                     model_info: {id: paid, enable_tag_filtering: true}}
                  - {model_name: g, litellm_params: {model: openai/b, api_key: k}, model_info: {id: plain}}
                """
        )
        #expect(Self.reach(groupOn, RoutingTags(tags: ["paid"])) == ["paid"])
        let groupOff = try Self.router(
            "{enable_tag_filtering: true}",
            deployments: """
                  - {model_name: g, litellm_params: {model: openai/a, api_key: k, tags: [paid]},
                     model_info: {id: paid, enable_tag_filtering: false}}
                  - {model_name: g, litellm_params: {model: openai/b, api_key: k}, model_info: {id: plain}}
                """
        )
        #expect(Self.reach(groupOff, RoutingTags(tags: ["paid"])) == ["paid", "plain"])
    }

    @Test func matchAllNeedsEveryTag() throws {
        let router = try Self.router("{enable_tag_filtering: true, tag_filtering_match_any: false}")
        #expect(Self.reach(router, RoutingTags(tags: ["paid", "eu"])) == ["paid"])
        // `paid` alone is a subset of the paid deployment's tags; `paid` + `free` is no deployment's: refused, as
        // the group knows both tags.
        #expect(Self.reach(router, RoutingTags(tags: ["paid"])) == ["paid"])
        #expect(Self.reach(router, RoutingTags(tags: ["paid", "free"])) == nil)
    }

    @Test func excludedAndRequiredTagsConstrainThePool() throws {
        let router = try Self.router()
        // Only constraints: `!tag` narrows the default pool (free), so `!free` leaves nothing; `&eu` requires eu.
        #expect(Self.reach(router, RoutingTags(tags: ["!paid"])) == ["free"])
        #expect(Self.reach(router, RoutingTags(tags: ["!free"])) == nil)
        #expect(Self.reach(router, RoutingTags(tags: ["&eu"])) == ["paid"])
        #expect(Self.reach(router, RoutingTags(tags: ["free", "!free"])) == nil)
        #expect(Self.reach(router, RoutingTags(tags: ["&asia"])) == nil)
    }

    @Test func failOpenServesTheDefaultsUnlessPolicyForbids() throws {
        let router = try Self.router(
            deployments: """
                  - {model_name: g, litellm_params: {model: openai/a, api_key: k, tags: [eu]},
                     model_info: {id: eu, allow_fail_open: true}}
                  - {model_name: g, litellm_params: {model: openai/b, api_key: k, tags: [us, default]},
                     model_info: {id: us}}
                """
        )
        // The caller's own impossible constraint falls open to the defaults.
        #expect(Self.reach(router, RoutingTags(tags: ["&eu", "&us"])) == ["us"])
        // The same constraint from the key's policy does not.
        #expect(Self.reach(router, RoutingTags(tags: ["&eu", "&us"], inherited: ["&eu", "&us"])) == nil)
        // An invented `&tag` hiding a real answer (the eu deployment) is refused rather than opened.
        #expect(Self.reach(router, RoutingTags(tags: ["&eu", "&invented"])) == nil)
    }

    @Test func userAgentPatternsRouteWhenTagsDoNot() throws {
        let router = try Self.router()
        #expect(Self.reach(router, RoutingTags(tags: [], userAgent: "claude-code/1.0.3")) == ["cli"])
        #expect(Self.reach(router, RoutingTags(tags: [], userAgent: "curl/8.0")) == ["free"])
        let strict = try Self.router(
            "{enable_tag_filtering: true, tag_filtering_match_any: false}",
            deployments: """
                  - {model_name: g, litellm_params: {model: openai/a, api_key: k, tags: [paid],
                     tag_regex: ["^User-Agent: claude-code/"]}, model_info: {id: both}}
                  - {model_name: g, litellm_params: {model: openai/b, api_key: k, tags: [default]}, model_info: {id: d}}
                """
        )
        // Without match_any a deployment's own tags decide: its pattern may not route around them.
        #expect(Self.reach(strict, RoutingTags(tags: ["free"], userAgent: "claude-code/1.0")) == ["d"])
        #expect(Self.reach(strict, RoutingTags(tags: [], userAgent: "claude-code/1.0")) == ["d"])
    }

    @Test func aPrefixLimitsWhichRequestTagsRoute() throws {
        let router = try Self.router("{enable_tag_filtering: true, tag_routing_prefix: 'route:'}")
        #expect(Self.reach(router, RoutingTags(tags: ["paid"])) == ["free"])
        #expect(Self.reach(router, RoutingTags(tags: ["route:paid"])) == ["paid"])
        // The key's and team's tags route without the prefix.
        #expect(Self.reach(router, RoutingTags(tags: ["paid"], inherited: ["paid"])) == ["paid"])
    }

    @Test func theRefusalIsLiteLLMs() throws {
        let router = try Self.router()
        guard case .refused(let error) = router.select(group: "g", tags: RoutingTags(tags: ["&asia"]), draw: 0) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(error.status == 401)
        #expect(
            error.error.message
                == "Not allowed to access model due to tags configuration. Passed model=g and tags=['&asia']"
        )
    }
}
