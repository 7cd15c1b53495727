import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

@Suite struct PriceTableTests {
    @Test func pricesAndCost() throws {
        let table = PriceTable.shipped
        #expect(table.prices.count >= 15)
        let deployment = try UpstreamRequestBuilderTests.deployment(
            "{model_name: o4-mini, litellm_params: "
                + "{model: azure/o4-mini, api_base: 'https://r.openai.azure.com', api_key: k}}"
        )
        let price = try #require(table.price(for: deployment, upstreamModel: "o4-mini-2025-04-16"))
        #expect(price == PriceTable.Price(input: 1.1e-06, output: 4.4e-06, cacheRead: 2.75e-07))
        #expect(
            abs(PriceTable.cost(usage: ["prompt_tokens": 11, "completion_tokens": 172], price: price) - 0.0007689)
                < 1e-12
        )
        let cached = PriceTable.cost(
            usage: ["prompt_tokens": 2006, "completion_tokens": 24, "prompt_tokens_details": ["cached_tokens": 1920]],
            price: try #require(table.prices["gpt-4o"])
        )
        #expect(abs(cached - (86 * 2.5e-06 + 1920 * 1.25e-06 + 24 * 1e-05)) < 1e-12)
        let custom = try UpstreamRequestBuilderTests.deployment(
            "{model_name: m, litellm_params: {model: openai/my-model, api_key: k}, model_info: "
                + "{input_cost_per_token: 1.0e-06, output_cost_per_token: 2.0e-06}}"
        )
        #expect(
            table.price(for: custom, upstreamModel: "my-model")
                == PriceTable.Price(input: 1e-06, output: 2e-06, cacheRead: nil)
        )
        let unknown = try UpstreamRequestBuilderTests.deployment(
            "{model_name: m, litellm_params: {model: openai/unknown-model, api_key: k}}"
        )
        #expect(table.price(for: unknown, upstreamModel: nil) == nil)
        #expect(table.lookup("gpt-4o-2024-11-20") != nil && table.lookup("azure/gpt-4.1-2025-04-14") != nil)
    }
}
