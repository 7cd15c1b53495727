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
    /// How the admin UI's login page offers its two ways in.
    public var uiLogin = UILogin()

    /// LiteLLM's login switches: each refuses or skips only what SSO, when configured, replaces.
    public struct UILogin: Sendable, Equatable {
        /// `auto_redirect_ui_login_to_sso` (or `AUTO_REDIRECT_UI_LOGIN_TO_SSO=true`): with SSO configured, the login
        /// page sends the browser straight to the provider.
        public var autoRedirectToSSO = false
        /// `disable_password_login_when_sso_enabled`: with SSO configured, username/password logins are refused
        /// (403), so the provider's sign-in, its MFA and its offboarding are the only way in.
        public var passwordLoginWhenSSO = true
        /// `disable_env_credential_login: true` refuses `UI_USERNAME`/`UI_PASSWORD` and the master-key login.
        public var envCredentialLogin = true

        public init() {}
    }

    public init() {}
}
