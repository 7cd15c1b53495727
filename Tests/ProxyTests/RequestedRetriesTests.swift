import AsyncHTTPClient
import Foundation
import Logging
import MockAzure
import NIOConcurrencyHelpers
import NIOCore
import Proxy
import TestSupport
import Testing
import Wire

/// A request's own `num_retries` cannot keep the router busy for minutes: it is capped.
@Suite struct RequestedRetriesTests {
    @Test func numRetriesFromTheBodyIsCapped() async throws {
        try await RouterIntegrationTests.withRouter(RouterIntegrationTests.entry("solo", "gpt-4o")) { harness in
            let outcome = await harness.chat("solo", "hi\n#mock-fault: 500", extra: #","num_retries":50"#)
            #expect(RouterIntegrationTests.status(outcome) == 500)
            #expect(harness.hits() == ["gpt-4o": Gateway.maximumRequestedRetries + 1])
            #expect(
                RouterIntegrationTests.header(outcome, "x-litellm-attempted-retries")
                    == String(Gateway.maximumRequestedRetries)
            )
        }
    }
}
