/// The failures LiteLLM's testing parameters ask for, by their request keys.
enum MockFailure: String, Sendable, CaseIterable {
    case fallbacks = "mock_testing_fallbacks"
    case contextFallbacks = "mock_testing_context_fallbacks"
    case contentPolicyFallbacks = "mock_testing_content_policy_fallbacks"
    case rateLimit = "mock_testing_rate_limit_error"
    case timeout = "mock_timeout"
}
