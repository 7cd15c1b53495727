import Foundation
import Testing
import Wire

@testable import Proxy

/// What reaches Azure: LiteLLM 1.110.2's rules for deployment params, request keys and `drop_params`.
@Suite struct CallParametersTests {
    static let base = "api_base: 'https://r.openai.azure.com', api_key: k"

    static func body(
        _ params: String,
        _ request: JSONObject,
        global: Bool = false
    ) throws -> Result<JSONObject, ProxyError> {
        let deployment = try UpstreamRequestBuilderTests.deployment(
            "{model_name: g, litellm_params: {\(base), \(params)}}"
        )
        let parameters = CallParameters(deployment: deployment, operation: .chatCompletions, globalDropParams: global)
        return Result { () throws(ProxyError) in try parameters.body(request) }
    }

    static let messages: JSONObject = ["messages": [["role": "user", "content": "hi"]]]

    @Test func liteLLMOwnedDeploymentKeysNeverReachAzure() throws {
        let params =
            "model: azure/gpt-4o, tags: [a], order: 1, max_parallel_requests: 4, additional_drop_params: [x], "
            + "mock_response: hi, azure_scope: s, max_budget: 10, budget_duration: 30d, rpm: 5, tpm: 9, "
            + "timeout: 10, stream_timeout: 5, max_retries: 1, weight: 2, region_name: eu, metadata: {a: 1}, "
            + "input_cost_per_token: 0.1, output_cost_per_token: 0.2, cache_read_input_token_cost: 0.01, "
            + "drop_params: true, allowed_openai_params: [y], base_model: azure/gpt-4o, "
            + "temperature: 0.3, seed: 7, max_tokens: 50, foo_unknown: 1"
        let body = try Self.body(params, Self.messages).get()
        #expect(Set(body.keys) == ["messages", "temperature", "seed", "max_tokens", "foo_unknown"])
    }

    @Test func liteLLMOwnedRequestKeysNeverReachAzure() throws {
        var request = Self.messages
        for key in [
            "metadata", "tags", "fallbacks", "num_retries", "timeout", "request_timeout", "stream_timeout", "caching",
            "cache", "guardrails", "mock_response", "drop_params", "additional_drop_params", "allowed_openai_params",
            "litellm_session_id", "api_base", "api_key", "extra_headers",
        ] {
            request[key] = "x"
        }
        request["user"] = "u1"
        request["temperature"] = 0.5
        let body = try Self.body("model: azure/gpt-4o", request).get()
        #expect(Set(body.keys) == ["messages", "user", "temperature"])
    }

    @Test func requestOverridesDeploymentDefaults() throws {
        var request = Self.messages
        request["temperature"] = 0.9
        let body = try Self.body("model: azure/gpt-4o, temperature: 0.3", request).get()
        #expect(body["temperature"] == 0.9)
    }

    @Test func unsupportedParameterIs400WithoutDropParams() throws {
        var request = Self.messages
        request["reasoning_effort"] = "high"
        request["service_tier"] = "flex"
        guard case .failure(let error) = try Self.body("model: azure/gpt-4o", request) else {
            Issue.record("gpt-4o on Azure takes no reasoning_effort")
            return
        }
        #expect(error.status == 400 && error.error.type == "invalid_request_error" && error.error.param == nil)
        #expect(
            error.error.message.hasPrefix(
                "litellm.UnsupportedParamsError: azure does not support parameters: ['reasoning_effort', "
                    + "'service_tier'], for model=gpt-4o. To drop these, set `litellm.drop_params=True`"
            )
        )
        // Dropped under drop_params, from any of its three places; allowed_openai_params lets one through.
        for (params, global) in [("drop_params: true", false), ("x: 1", true)] {
            let body = try Self.body("model: azure/gpt-4o, \(params)", request, global: global).get()
            #expect(body["reasoning_effort"] == nil && body["service_tier"] == nil)
        }
        var dropping = request
        dropping["drop_params"] = true
        #expect(try Self.body("model: azure/gpt-4o", dropping).get()["reasoning_effort"] == nil)
        var allowing = request
        allowing["allowed_openai_params"] = ["reasoning_effort", "service_tier"]
        #expect(try Self.body("model: azure/gpt-4o", allowing).get()["reasoning_effort"] == "high")
        // A request's drop_params: false overrides the deployment's true; the global setting it cannot.
        var keeping = request
        keeping["drop_params"] = false
        #expect((try? Self.body("model: azure/gpt-4o, drop_params: true", keeping).get()) == nil)
        #expect(try Self.body("model: azure/gpt-4o", keeping, global: true).get()["service_tier"] == nil)
    }

    @Test func oSeriesTakesTemperatureOneOnlyAndMaxCompletionTokens() throws {
        var request = Self.messages
        request["temperature"] = 1
        request["max_tokens"] = 100
        request["reasoning_effort"] = "low"
        let body = try Self.body("model: azure/o4-mini", request).get()
        #expect(body["temperature"] == 1 && body["max_completion_tokens"] == 100 && body["max_tokens"] == nil)
        #expect(body["reasoning_effort"] == "low")
        request["temperature"] = 0
        guard case .failure(let error) = try Self.body("model: azure/o4-mini", request) else {
            Issue.record("o4-mini refuses temperature 0")
            return
        }
        #expect(
            error.error.message
                == "litellm.UnsupportedParamsError: O-series models don't support temperature=0. Only "
                + "temperature=1 is supported. To drop unsupported openai params from the call, set "
                + "`litellm.drop_params = True`"
        )
        #expect(try Self.body("model: azure/o4-mini, drop_params: true", request).get()["temperature"] == nil)
        request["top_p"] = 0.5
        request["temperature"] = 1
        guard case .failure(let topP) = try Self.body("model: azure/my-reasoner, base_model: azure/o3-mini", request)
        else {
            Issue.record("base_model makes the deployment o-series; o-series take no top_p")
            return
        }
        #expect(topP.error.message.contains("['top_p']"))
    }

    @Test func additionalDropParamsRemoveEvenSupportedAndNested() throws {
        var request = Self.messages
        request["seed"] = 1
        request["top_p"] = 0.2
        request["extra"] = ["a": ["b": 1, "c": 2]]
        let body = try Self.body(
            "model: azure/gpt-4o, additional_drop_params: [seed, foo_unknown, extra.a.b], foo_unknown: 1",
            request
        ).get()
        #expect(body["seed"] == nil && body["foo_unknown"] == nil && body["top_p"] == 0.2)
        #expect(body["extra"] == ["a": ["c": 2]])
        var replacing = request
        replacing["additional_drop_params"] = ["top_p"]
        let replaced = try Self.body("model: azure/gpt-4o, additional_drop_params: [seed]", replacing).get()
        #expect(replaced["seed"] == 1 && replaced["top_p"] == nil, "a request's list replaces the deployment's")
    }
}
