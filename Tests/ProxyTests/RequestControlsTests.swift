import Foundation
import Proxy
import Testing
import Wire

/// A request's own controls, against a real MockAzure: LiteLLM's timeout and retry headers, request fallbacks and
/// the testing parameters behind `dangerously_allow_mock_testing_request_params`.
@Suite struct RequestControlsTests {
    typealias R = RouterIntegrationTests

    @Test func timeoutHeaderWinsOverTheBodyAndIsEchoedOnTheError() async throws {
        let list = R.entry("solo", "gpt-4o", extra: ", timeout: 30")
        try await R.withRouter(list, settings: "{num_retries: 0}") { harness in
            let started = ContinuousClock.now
            let outcome = await harness.chat(
                "solo",
                "hi\n#mock-fault: hang",
                extra: #","timeout":30"#,
                headers: [("x-litellm-timeout", "0.3")]
            )
            #expect(R.status(outcome) == 408)
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(R.header(outcome, "x-litellm-timeout") == "0.3")
            let fromBody = await harness.chat("solo", "hi\n#mock-fault: hang", extra: #","timeout":0.3"#)
            #expect(R.status(fromBody) == 408 && R.header(fromBody, "x-litellm-timeout") == "0.3")
            // Any number of seconds is taken (beyond a day as a day): the fuzzer's 1e300 once trapped the process.
            let huge = await harness.chat("solo", "hi", extra: #","timeout":1e300"#)
            #expect(R.status(huge) == 200)
            let hugeTimeout = await harness.chat("solo", "hi", headers: [("x-litellm-timeout", "1e300")])
            #expect(R.status(hugeTimeout) == 200)
            let bad = await harness.chat("solo", "hi", headers: [("x-litellm-timeout", "soon")])
            let badBody = try R.body(bad)
            #expect(R.status(bad) == 400 && badBody.value(at: "error.param") == "x-litellm-timeout")
        }
    }

    @Test func numRetriesHeaderAndMaxRetriesResponseHeader() async throws {
        try await R.withRouter(R.entry("solo", "gpt-4o"), settings: "{num_retries: 0}") { harness in
            let outcome = await harness.chat(
                "solo",
                "hi\n#mock-fault: 500 then 500 then 200",
                headers: [("x-litellm-num-retries", "3")]
            )
            #expect(R.status(outcome) == 200)
            #expect(R.header(outcome, "x-litellm-attempted-retries") == "2")
            #expect(R.header(outcome, "x-litellm-max-retries") == "3")
            let plain = await harness.chat("solo", "hi")
            #expect(R.header(plain, "x-litellm-max-retries") == nil, "only once a retry ran, as LiteLLM")
        }
    }

    @Test func requestFallbacksReplaceTheConfiguredOnes() async throws {
        let list = [R.entry("primary", "gpt-4o"), R.entry("backup", "gpt-4o-mini")].joined(separator: "\n")
        try await R.withRouter(list, settings: "{num_retries: 0}") { harness in
            let outcome = await harness.chat(
                "primary",
                "hi\n#mock-fault@gpt-4o: 503",
                extra: #","fallbacks":["backup"]"#
            )
            #expect(R.status(outcome) == 200)
            #expect(R.header(outcome, "x-litellm-model-group") == "backup")
            #expect(R.header(outcome, "x-litellm-attempted-fallbacks") == "1")
            let keyed = await harness.chat(
                "primary",
                "hi\n#mock-fault@gpt-4o: 503",
                extra: #","fallbacks":[{"primary":["backup"]}]"#
            )
            #expect(R.header(keyed, "x-litellm-model-group") == "backup")
            let without = await harness.chat("primary", "hi\n#mock-fault@gpt-4o: 503")
            #expect(R.status(without) == 503)
        }
    }

    @Test func mockTestingParametersAreRefusedUnlessAllowed() async throws {
        let list = [R.entry("primary", "gpt-4o"), R.entry("backup", "gpt-4o-mini")].joined(separator: "\n")
        try await R.withRouter(list) { harness in
            let outcome = await harness.chat(
                "primary",
                "hi",
                extra: #","mock_testing_fallbacks":true,"mock_timeout":1"#
            )
            #expect(R.status(outcome) == 400)
            let message = try R.body(outcome).value(at: "error.message")?.stringValue
            #expect(
                message?.hasPrefix(
                    "Mock testing request params are disabled on this proxy: mock_testing_fallbacks, mock_timeout. "
                ) == true
            )
            #expect(harness.hits().isEmpty)
        }
    }

    @Test func mockTestingParametersActWhenAllowed() async throws {
        let list = [
            R.entry("primary", "gpt-4o"), R.entry("backup", "gpt-4o-mini"),
            R.entry("slow", "gpt-4o", extra: ", timeout: 0.2"),
            R.entry("patient", "gpt-4o", extra: ", num_retries: 50"),
        ].joined(separator: "\n")
        try await R.withRouter(list, general: "{dangerously_allow_mock_testing_request_params: true}") { harness in
            let fallback = await harness.chat(
                "primary",
                "hi",
                extra: #","mock_testing_fallbacks":true,"fallbacks":["backup"]"#
            )
            #expect(R.status(fallback) == 200 && R.header(fallback, "x-litellm-model-group") == "backup")
            #expect(harness.hits() == ["gpt-4o-mini": 1], "the primary group fails before any upstream call")
            let timeout = await harness.chat("slow", "hi", extra: #","mock_timeout":true,"num_retries":0"#)
            #expect(R.status(timeout) == 408 && R.header(timeout, "x-litellm-timeout") == "0.2")
            let limited = await harness.chat("patient", "hi", extra: #","mock_testing_rate_limit_error":true"#)
            #expect(R.status(limited) == 200)
            #expect(R.header(limited, "x-litellm-attempted-retries") == "1")
            #expect(R.header(limited, "x-litellm-max-retries") == "50")
        }
    }
}
