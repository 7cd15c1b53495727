/// Who may call, and how hard a caller may knock: typed from `general_settings`, each default here.
public struct AuthSettings: Sendable {
    /// `litellm_key_header_name`: a header read for the key before LiteLLM's standard ones.
    public var keyHeaderName: String?
    /// Whose `X-Forwarded-For` is believed: `trusted_proxies` (addresses), or every peer with LiteLLM's
    /// `use_x_forwarded_for: true`. Neither: the connection's peer is the caller.
    public var forwardedFor = ForwardedFor()
    /// Refused keys an address may present per minute before it gets 429s until the minute ends
    /// (`auth_failure_limit_per_minute`).
    public var failedKeyThrottle = FailureLimit(limit: 60, window: .seconds(60))
    /// Failed admin UI logins an address may make per five minutes (`ui_login_failure_limit`).
    public var uiLoginThrottle = FailureLimit(limit: 10, window: .seconds(300))

    public init() {}
}
