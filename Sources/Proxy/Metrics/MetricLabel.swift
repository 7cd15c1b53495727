/// LiteLLM's metric label names, as its `prometheus` callback declares them.
enum MetricLabel: String, Sendable {
    case endUser = "end_user"
    case hashedAPIKey = "hashed_api_key"
    case apiKeyAlias = "api_key_alias"
    case requestedModel = "requested_model"
    case team
    case teamAlias = "team_alias"
    case user
    case userEmail = "user_email"
    case statusCode = "status_code"
    case route
    case clientIP = "client_ip"
    case userAgent = "user_agent"
    case modelID = "model_id"
    case apiProvider = "api_provider"
    case apiBase = "api_base"
    case model
    case litellmModelName = "litellm_model_name"
    case modelGroup = "model_group"
    case exceptionStatus = "exception_status"
    case exceptionClass = "exception_class"
    case serviceTier = "service_tier"
    case orgID = "org_id"
    case orgAlias = "org_alias"
    case rateLimitType = "rate_limit_type"
}

/// One request's label values. A value LiteLLM lacks it writes as `None` (Python's `str(None)`), and so do we:
/// dashboards that filter on `team_alias="None"` keep working.
struct RequestLabels: Sendable {
    static let none = "None"
    var endUser = none
    var hashedAPIKey = none
    var apiKeyAlias = none
    var requestedModel = none
    var team = none
    var teamAlias = none
    var user = none
    var userEmail = none
    var statusCode = "200"
    var route = none
    var clientIP = none
    var userAgent = none
    var modelID = none
    var apiProvider = none
    var apiBase = none
    /// `litellm_params.model` without its provider prefix (LiteLLM's `model` and `litellm_model_name`).
    var model = none
    var modelGroup = none
    var exceptionStatus = none
    var exceptionClass = none
    /// `requests` or `tokens`, on the rate-limit gauges.
    var rateLimitType = none

    subscript(label: MetricLabel) -> String {
        switch label {
        case .endUser: endUser
        case .hashedAPIKey: hashedAPIKey
        case .apiKeyAlias: apiKeyAlias
        case .requestedModel: requestedModel
        case .team: team
        case .teamAlias: teamAlias
        case .user: user
        case .userEmail: userEmail
        case .statusCode: statusCode
        case .route: route
        case .clientIP: clientIP
        case .userAgent: userAgent
        case .modelID: modelID
        case .apiProvider: apiProvider
        case .apiBase: apiBase
        case .model, .litellmModelName: model
        case .modelGroup: modelGroup
        case .exceptionStatus: exceptionStatus
        case .exceptionClass: exceptionClass
        case .rateLimitType: rateLimitType
        case .serviceTier, .orgID, .orgAlias: RequestLabels.none
        }
    }

    /// Who called: the master key is `litellm_proxy_master_key` and, without a user, `default_user_id`, as LiteLLM
    /// labels it. No key itself, ever: `hashed_api_key` is the sha256 the spend rows hold.
    init(caller: Caller?, route: String, clientIP: String?, userAgent: String?) {
        self.route = route
        if let clientIP { self.clientIP = clientIP }
        if let userAgent { self.userAgent = userAgent }
        guard let caller else { return }
        switch caller.kind {
        case .master:
            hashedAPIKey = "litellm_proxy_master_key"
            user = caller.userID ?? "default_user_id"
        case .virtualKey(_, let alias, _):
            hashedAPIKey = caller.keyHash
            if let alias { apiKeyAlias = alias }
            if let userID = caller.userID { user = userID }
        case .anonymous:
            if let userID = caller.userID { user = userID }
        }
        if let team = caller.teamID { self.team = team }
        if let alias = caller.account.teamAlias { teamAlias = alias }
        if let email = caller.account.userEmail { userEmail = email }
    }

    /// A routed request: its deployment, outcome and (when the config asks) its end user.
    init(_ facts: RequestFacts, endUserLabels: Bool) {
        self.init(
            caller: facts.caller,
            route: facts.operation.route,
            clientIP: facts.clientIP,
            userAgent: facts.userAgent
        )
        if endUserLabels, let endUser = facts.request["user"]?.stringValue { self.endUser = endUser }
        requestedModel = facts.requestedModel ?? facts.deployment.modelName
        deployment(facts.deployment)
        if let error = facts.error { failed(error, provider: apiProvider) }
    }

    mutating func deployment(_ deployment: ModelDeployment) {
        if requestedModel == Self.none { requestedModel = deployment.modelName }
        modelGroup = deployment.modelName
        model = deployment.upstreamModel
        modelID = deployment.id
        apiProvider = deployment.provider.rawValue
        apiBase = deployment.publicAPIBase ?? ""
    }

    mutating func failed(_ error: ProxyError, provider: String?) {
        statusCode = String(error.status)
        exceptionStatus = statusCode
        exceptionClass = Self.exceptionClass(error, provider: provider)
    }

    /// LiteLLM's class names: `Azure.RateLimitError` for an upstream's refusal (the provider, capitalised, and the
    /// class its message names), `BudgetExceededError`, `HTTPException` for the proxy's 429s, else `ProxyException`.
    static func exceptionClass(_ error: ProxyError, provider: String?) -> String {
        let message = error.error.message
        if error.error.type == "budget_exceeded" { return "BudgetExceededError" }
        // The proxy's own rate limits and auth throttle: FastAPI's HTTPException in LiteLLM.
        if error.status == 429, error.retryClass == nil { return "HTTPException" }
        guard error.retryClass != nil, let provider, message.hasPrefix("litellm."),
            let colon = message.firstIndex(of: ":")
        else { return "ProxyException" }
        let name = message[message.index(message.startIndex, offsetBy: 8) ..< colon]
        return provider.prefix(1).uppercased() + provider.dropFirst() + "." + name
    }
}
