import Wire

/// A failure answered in LiteLLM's error shape (`{"error":{"message","type","param","code"}}`, status = code).
/// One place knows each of LiteLLM's messages. Messages never carry a secret: keys appear as `sk-...last4`.
public struct ProxyError: Error, Sendable {
    public var error: OpenAIError
    /// Extra response headers (`retry-after` on 429s, upstream headers as `llm_provider-…`).
    public var headers: [(String, String)]
    /// For a failed upstream attempt: its class, which decides retries, cooldowns and fallbacks. Nil for the
    /// request's own errors, which are never retried.
    public var retryClass: RetryClass?

    public init(_ error: OpenAIError, headers: [(String, String)] = [], retryClass: RetryClass? = nil) {
        self.error = error
        self.headers = headers
        self.retryClass = retryClass
    }

    public var status: Int { error.status }

    // MARK: auth

    public static let noKey = ProxyError(
        OpenAIError(
            status: 401,
            message: "Authentication Error, No api key passed in.",
            type: "auth_error",
            param: "None"
        )
    )

    public static let malformedKey = ProxyError(
        OpenAIError(
            status: 401,
            message: "Authentication Error, Malformed API Key passed in. Ensure Key has `Bearer ` prefix.",
            type: "auth_error",
            param: "None"
        )
    )

    /// A virtual key calling a management endpoint.
    public static let masterKeyRequired = ProxyError(
        OpenAIError(
            status: 403,
            message: "Only the master key can manage keys and read spend logs.",
            type: "auth_error",
            param: "None"
        )
    )

    /// Too many refused keys (or UI logins) from one address in its window.
    public static func tooManyFailedAuthentications(retryAfter seconds: Int) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 429,
                message: "Too many failed authentication attempts from this address. Try again in \(seconds) seconds.",
                type: "throttling_error",
                param: "None"
            ),
            headers: [("retry-after", String(seconds))]
        )
    }

    public static func invalidKey(_ key: String) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 401,
                message: "Authentication Error, Invalid proxy server token passed. Received API Key = "
                    + "\(SecretHash.abbreviated(key)), Key Hash (Token) =\(SecretHash.sha256Hex(key)). "
                    + "Unable to find token in cache or `LiteLLM_VerificationTokenTable`",
                type: "token_not_found_in_db",
                param: "key"
            )
        )
    }

    // MARK: request

    public static func invalidJSON(_ reason: String) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 400,
                message: "Invalid JSON payload: \(reason)",
                type: "invalid_request_error",
                param: "request_body"
            )
        )
    }

    public static func missing(_ parameter: String) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 400,
                message: "Missing required parameter: '\(parameter)'.",
                type: "invalid_request_error",
                param: parameter
            )
        )
    }

    public static func wrongType(_ parameter: String, expected: String) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 400,
                message: "Invalid type for '\(parameter)': expected \(expected).",
                type: "invalid_request_error",
                param: parameter
            )
        )
    }

    public static func unknownModel(_ model: String, route: String) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 400,
                message: "\(route): Invalid model name passed in model=\(model). "
                    + "Call `/v1/models` to view available models for your key.",
                type: "invalid_request_error",
                param: "model"
            )
        )
    }

    /// `/models/{id}` for a model that is not configured.
    public static func modelNotFound(_ id: String) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 404,
                message: "The model `\(id)` does not exist",
                type: "invalid_request_error",
                param: "model"
            )
        )
    }

    /// A virtual key asked for a model group (or a fallback) outside its `models`: LiteLLM 1.110.2's 403.
    /// LiteLLM's budget refusal (its `budget_exceeded_status_code`, 400 by default).
    public static func budgetExceeded(_ message: String, status: Int) -> ProxyError {
        ProxyError(OpenAIError(status: status, message: message, type: "budget_exceeded", param: "None"))
    }

    /// A model the key (or its team: `team_model_access_denied`) may not use.
    public static func modelNotAllowed(_ model: String, type: String = "key_model_access_denied") -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 403,
                message: "The requested model '\(model)' is not available for this API key, or the model name is "
                    + "invalid. Check the models available to you and try again.",
                type: type,
                param: "model"
            )
        )
    }

    public static func bodyTooLarge(limit: Int) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 413,
                message: "Request size is too large. Request size is larger than the maximum of "
                    + "\(limit / (1024 * 1024)) MB.",
                type: "invalid_request_error",
                param: "content-length"
            )
        )
    }

    /// A body still incomplete when `request_body_timeout` ran out.
    public static func bodyTimeout(seconds: Double) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 408,
                message: "Request timed out: the request body was not received within "
                    + "\(JSON.double(seconds).serialized()) seconds.",
                type: "timeout",
                param: "request_body"
            )
        )
    }

    /// A body that could not be read whole (bad chunked framing, a client half-closing or too slow mid-body).
    public static let unreadableBody = ProxyError(
        OpenAIError(
            status: 400,
            message: "Invalid request body: it could not be read completely.",
            type: "invalid_request_error",
            param: "request_body"
        )
    )

    public static func notFound(_ path: String) -> ProxyError {
        ProxyError(
            OpenAIError(status: 404, message: "Route not found: \(path)", type: "not_found_error", param: "None")
        )
    }

    // MARK: upstream

    public static func timeout(seconds: Double, deployment: ModelDeployment) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 408,
                message: "litellm.Timeout: \(providerName(deployment))Exception - Request timed out after "
                    + "\(formatted(seconds)) seconds. model=\(deployment.upstreamModel)",
                type: "timeout",
                param: "None"
            ),
            retryClass: .timeout
        )
    }

    public static func unreachable(deployment: ModelDeployment, reason: String) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 500,
                message: "litellm.APIConnectionError: \(providerName(deployment))Exception - Connection error: "
                    + "\(reason). model_group=\(deployment.modelName) model=\(deployment.upstreamModel) "
                    + "deployment_id=\(deployment.id)",
                type: "api_connection_error",
                param: "None"
            ),
            retryClass: .internalServer
        )
    }

    /// An upstream error answer, mapped to LiteLLM's exception classes; Azure's details (innererror, content filter
    /// results) are kept under `provider_specific_fields`.
    public static func upstream(
        status: Int,
        body: JSON?,
        rawBody: String,
        deployment: ModelDeployment,
        headers: [(String, String)]
    ) -> ProxyError {
        let upstreamError = body?["error"]
        let upstreamMessage =
            upstreamError?["message"]?.stringValue
            ?? (rawBody.isEmpty ? "HTTP \(status)" : String(rawBody.prefix(2048)))
        let code = upstreamError?["code"]?.stringValue
        let provider = providerName(deployment)
        if (300 ..< 400).contains(status) {
            // Never followed (the upstream client disallows redirects): the key stays with the configured api_base.
            let message =
                "litellm.APIError: \(provider)Exception - the upstream answered \(status), a redirect, which is "
                + "not followed. Check the deployment's api_base. model=\(deployment.upstreamModel)"
            return ProxyError(
                OpenAIError(status: 500, message: message, type: "api_error", param: "None"),
                headers: headers
            )
        }
        let (className, type): (String, String) =
            switch status {
            case 400 where code == "content_filter": ("ContentPolicyViolationError", "invalid_request_error")
            case 400, 422: ("BadRequestError", "invalid_request_error")
            case 401: ("AuthenticationError", "auth_error")
            case 403: ("PermissionDeniedError", "permission_error")
            case 404: ("NotFoundError", "not_found_error")
            case 408: ("Timeout", "timeout")
            case 429: ("RateLimitError", "throttling_error")
            case 503: ("ServiceUnavailableError", "service_unavailable_error")
            case 500 ... 599: ("InternalServerError", "internal_server_error")
            default: ("APIError", "api_error")
            }
        var extra = JSONObject()
        var specific = JSONObject()
        if let inner = upstreamError?["innererror"] { specific["innererror"] = inner }
        if let results = upstreamError?["content_filter_results"] { specific["content_filter_results"] = results }
        if !specific.isEmpty { extra["provider_specific_fields"] = .object(specific) }
        let param = upstreamError?["param"]?.stringValue
        let message = "litellm.\(className): \(provider)Exception - \(upstreamMessage)"
        return ProxyError(
            OpenAIError(
                status: status,
                message: message,
                type: type,
                param: param ?? "None",
                code: String(status),
                extra: extra
            ),
            headers: headers,
            retryClass: RetryClass.of(status: status, code: code)
        )
    }

    /// OpenAI parameters the Azure model does not take, without `drop_params` (LiteLLM's UnsupportedParamsError).
    public static func unsupportedParameters(_ names: [String], deployment: ModelDeployment) -> ProxyError {
        let list = pythonList(names)
        let message =
            "litellm.UnsupportedParamsError: azure does not support parameters: \(list), for "
            + "model=\(deployment.upstreamModel). To drop these, set `litellm.drop_params=True` or for proxy:\n\n"
            + "`litellm_settings:\n drop_params: true`\n. \n If you want to use these params dynamically send "
            + "allowed_openai_params=\(list) in your request."
        return ProxyError(
            OpenAIError(status: 400, message: message, type: "invalid_request_error", param: nil, code: "400"),
            retryClass: .badRequest
        )
    }

    /// An o-series model given a temperature other than 1, without `drop_params`.
    public static func oSeriesTemperature(_ value: String) -> ProxyError {
        let message =
            "litellm.UnsupportedParamsError: O-series models don't support temperature=\(value). Only "
            + "temperature=1 is supported. To drop unsupported openai params from the call, set "
            + "`litellm.drop_params = True`"
        return ProxyError(
            OpenAIError(status: 400, message: message, type: "invalid_request_error", param: nil, code: "400"),
            retryClass: .badRequest
        )
    }

    /// LiteLLM's testing parameters sent to a proxy that has not opted in.
    static func mockTestingDisabled(_ names: [String]) -> ProxyError {
        let message =
            "Mock testing request params are disabled on this proxy: \(names.joined(separator: ", ")). An admin can "
            + "enable them by setting `general_settings.dangerously_allow_mock_testing_request_params: true` in "
            + "config.yaml. This setting cannot be changed from the Admin UI or the API."
        return ProxyError(
            OpenAIError(
                status: 400,
                message: message,
                type: "invalid_request_error",
                param: nil,
                extra: ["provider_specific_fields": ["error": .string(message)]]
            )
        )
    }

    /// The failure a `mock_testing_*` / `mock_timeout` parameter asks for, in the class LiteLLM raises.
    static func mockFailure(_ kind: MockFailure, model: String, fallbacks: [String]?) -> ProxyError {
        let list = fallbacks.map(pythonList) ?? "None"
        let (status, message, type, retryClass): (Int, String, String, RetryClass) =
            switch kind {
            case .fallbacks:
                (
                    500,
                    "litellm.InternalServerError: This is a mock exception for model=\(model), to trigger a "
                        + "fallback. Fallbacks=\(list)", "internal_server_error", .internalServer
                )
            case .contextFallbacks:
                (
                    400,
                    "litellm.ContextWindowExceededError: This is a mock exception for model=\(model), to "
                        + "trigger a fallback. Context_Window_Fallbacks=\(list)", "invalid_request_error",
                    .contextWindow
                )
            case .contentPolicyFallbacks:
                (
                    400,
                    "litellm.ContentPolicyViolationError: This is a mock exception for model=\(model), to "
                        + "trigger a fallback. Fallbacks=\(list)", "invalid_request_error", .contentPolicy
                )
            case .rateLimit:
                (
                    429, "litellm.RateLimitError: This is a mock rate limit error for model=\(model)",
                    "throttling_error", .rateLimit
                )
            case .timeout: (408, "litellm.Timeout: This is a mock timeout error", "timeout", .timeout)
            }
        return ProxyError(
            OpenAIError(status: status, message: message, type: type, param: nil),
            headers: kind == .rateLimit ? [("retry-after", "0")] : [],
            retryClass: retryClass
        )
    }

    /// Every deployment of the group is cooling down or over its limits (LiteLLM's RouterRateLimitError).
    public static func noDeployments(model: String, retryAfter: Double, preCallChecks: Bool, cooling: [String])
        -> ProxyError
    {
        let seconds = Int(retryAfter.rounded(.up))
        return ProxyError(
            OpenAIError(
                status: 429,
                message: "No deployments available for selected model, Try again in \(seconds) seconds. "
                    + "Passed model=\(model). pre-call-checks=\(preCallChecks ? "True" : "False"), "
                    + "cooldown_list=\(cooling)",
                type: "throttling_error",
                param: "None"
            ),
            headers: [("retry-after", String(seconds))],
            retryClass: .rateLimit
        )
    }

    /// Tag-based routing leaves no deployment of the group for the request's tags (LiteLLM answers 401).
    public static func tagRouting(model: String, tags: [String]) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 401,
                message: "Not allowed to access model due to tags configuration. Passed model=\(model) and "
                    + "tags=\(pythonList(tags))",
                type: "None",
                param: "None"
            )
        )
    }

    /// A list of names as LiteLLM's messages print one (Python's `repr`): `['a', 'b']`.
    static func pythonList(_ names: [String]) -> String {
        "[" + names.map { "'\($0)'" }.joined(separator: ", ") + "]"
    }

    static func providerName(_ deployment: ModelDeployment) -> String {
        deployment.provider == .azure ? "Azure" : "OpenAI"
    }

    static func formatted(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) + ".0" : String(seconds)
    }
}
