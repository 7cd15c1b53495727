import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

@Suite struct RouterTests {
    @Test func weightedShuffle() throws {
        let config = try ConfigLoader.parse(
            """
            model_list:
              - {model_name: g, litellm_params: {model: openai/a, api_key: k, weight: 3}}
              - {model_name: g, litellm_params: {model: openai/b, api_key: k, weight: 1}}
            router_settings: {model_group_alias: {alias: g}}
            """
        )
        let router = ModelRouter(config: config)
        let group = try #require(router.deployments(for: "alias"))
        var counts: [String: Int] = [:]
        for index in 0 ..< 1000 {
            counts[ModelRouter.pick(from: group, draw: Double(index) / 1000).upstreamModel, default: 0] += 1
        }
        #expect(counts == ["a": 750, "b": 250])
        #expect(router.groupName(for: "nope") == nil)
    }
}
