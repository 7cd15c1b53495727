import Foundation

/// One entry of the config's top-level `guardrails:` list, as LiteLLM 1.110.2 reads it: a name, a provider
/// (`litellm_params.guardrail`), the hooks it runs in (`mode`) and whether it runs without being asked
/// (`default_on`). Requests opt in with `guardrails: [names]` (or `metadata.guardrails`), keys and teams with their
/// metadata's `guardrails`.
public struct GuardrailSettings: Sendable {
    public enum Provider: String, Sendable {
        /// Azure AI Content Safety's Prompt Shields (`text:shieldPrompt`): user-prompt attacks.
        case promptShield = "azure/prompt_shield"
        /// Azure AI Content Safety's text moderation (`text:analyze`): Hate, SelfHarm, Sexual, Violence severities.
        case textModeration = "azure/text_moderations"
        /// LiteLLM's in-process content filter: regex patterns (PII, credentials) and words, masked or blocked.
        case contentFilter = "litellm_content_filter"

        /// `guardrail_provider` in what is logged, as LiteLLM names it.
        public var loggedName: String { self == .contentFilter ? rawValue : "azure" }
    }

    /// The hooks LiteLLM runs guardrails in.
    public enum Mode: String, Sendable, CaseIterable {
        /// Before the request leaves: may block it or mask what it sends (and what is logged).
        case preCall = "pre_call"
        /// Beside the upstream call: the answer waits for it and is refused when it blocks.
        case duringCall = "during_call"
        /// On the answer before it is returned: may block it or mask it.
        case postCall = "post_call"
        /// Only on what is logged: masks the stored request and answer, never blocks.
        case loggingOnly = "logging_only"
    }

    /// What a content filter pattern or word does when it matches.
    public enum Action: String, Sendable {
        case mask = "MASK"
        case block = "BLOCK"
    }

    /// A content filter regex: a prebuilt one by name or the config's own.
    public struct Pattern: Sendable {
        /// The name in errors and redaction tags (`[EMAIL_REDACTED]`).
        public var name: String
        /// ICU regular expression syntax (LiteLLM's patterns are Python `re`; the prebuilt ones read the same).
        public var regex: String
        public var action: Action
        /// One of LiteLLM's prebuilt patterns (`name` is its `pattern_name`), not the config's own regex.
        public var prebuilt = false
    }

    /// A content filter word or phrase, matched case-insensitively on word boundaries.
    public struct Word: Sendable {
        public var keyword: String
        public var action: Action
        public var description: String?
    }

    public var name: String
    public var provider: Provider
    public var modes: [Mode]
    public var defaultOn = false
    /// Content Safety's endpoint (`https://<resource>.cognitiveservices.azure.com`), without a trailing slash.
    public var apiBase = ""
    /// Content Safety's key (`Ocp-Apim-Subscription-Key`); nil: an Entra ID token from `entra`.
    public var apiKey: String?
    /// A static Entra ID token (`azure_ad_token`), sent as it is.
    public var bearerToken: String?
    public var entra: EntraCredential?
    public var apiVersion: String
    /// Text moderation: the categories asked for (Azure's four by default).
    public var categories = GuardrailSettings.moderationCategories
    /// Text moderation: a category blocks at this severity or above (LiteLLM's default 2).
    public var severityThreshold = 2
    public var severityByCategory: [String: Int] = [:]
    public var blocklistNames: [String]?
    public var haltOnBlocklistHit = false
    /// Content filter patterns and words.
    public var patterns: [Pattern] = []
    public var words: [Word] = []
    /// How long a Content Safety call may take before the guardrail counts as failed (the request is then refused,
    /// as LiteLLM refuses it when the guardrail raises).
    public var timeout: Duration = .seconds(10)

    public init(name: String, provider: Provider, modes: [Mode]) {
        self.name = name
        self.provider = provider
        self.modes = modes
        self.apiVersion = "2024-09-01"
    }

    public func runs(in mode: Mode) -> Bool { modes.contains(mode) }

    public static let moderationCategories = ["Hate", "Sexual", "SelfHarm", "Violence"]

    /// LiteLLM's prebuilt content filter patterns this gateway carries (its `patterns.json`, the PII and credential
    /// ones), by `pattern_name`.
    public static let prebuiltPatterns: [String: String] = [
        "us_ssn": #"\b\d{3}-\d{2}-\d{4}\b"#,
        "email": #"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Z|a-z]{2,}\b"#,
        "us_phone": #"\b(?:\+?1[\s.-]?)?\(?([0-9]{3})\)?[\s.-]?([0-9]{3})[\s.-]?([0-9]{4})\b"#,
        "visa": #"\b4\d{3}[\s\-]?\d{4}[\s\-]?\d{4}[\s\-]?\d{4}\b"#,
        "mastercard": #"\b5[1-5]\d{2}[\s\-]?\d{4}[\s\-]?\d{4}[\s\-]?\d{4}\b"#,
        "amex": #"\b3[47]\d{2}[\s\-]?\d{6}[\s\-]?\d{5}\b"#,
        "discover": #"\b6(?:011|5\d{2})[\s\-]?\d{4}[\s\-]?\d{4}[\s\-]?\d{4}\b"#,
        "credit_card":
            #"(?:\b4\d{3}[\s\-]?\d{4}[\s\-]?\d{4}[\s\-]?\d{4}\b|\b5[1-5]\d{2}[\s\-]?\d{4}[\s\-]?\d{4}[\s\-]?\d"#
            + #"{4}\b|\b3[47]\d{2}[\s\-]?\d{6}[\s\-]?\d{5}\b|\b6(?:011|5\d{2})[\s\-]?\d{4}[\s\-]?\d{4}[\s\-]?\d{"#
            + #"4}\b)"#,
        "iban": #"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b"#,
        "aws_access_key": #"\b(AKIA[0-9A-Z]{16})\b"#,
        "github_token": #"\b(gh[ps]_[a-zA-Z0-9]{36})\b"#,
        "slack_token": #"\b(xox[pboa]-[0-9]{10,13}-[0-9]{10,13}-[a-zA-Z0-9]{24,32})\b"#,
        "generic_api_key": #"\b([Aa][Pp][Ii][-_]?[Kk][Ee][Yy][\s:=]+['"]?[A-Za-z0-9_\-]{20,}['"]?)\b"#,
        "openai_api_key":
            #"sk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_\-]{20,200}T3BlbkFJ(?:(?!sk-(?:proj|svcacct|admin|N"#
            + #"one)-)[A-Za-z0-9_\-]){20,200}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}(?![A-Za-z0-9_]))"#,
        "anthropic_api_key":
            #"(?:(?<![A-Za-z0-9])|(?<=\\[nrt])|(?<=\\u[0-9A-F]{4})|(?<=%[0-9A-F]{2})|(?<=%25[0-9A-F]{2}))sk-an"#
            + #"t-[A-Za-z0-9_\-]{20,}"#,
        "ipv4": #"\b(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\b"#,
        "url": #"\b(?:https?://|www\.)[^\s/$.?#].[^\s]*\b"#,
        "passport_us": #"\b([A-Z][0-9]{8}|[0-9]{9})\b"#,
    ]
}
