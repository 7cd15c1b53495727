/// `litellm_settings.cache` / `cache_params`: LiteLLM's exact-match response cache, typed, each default here.
public struct CacheSettings: Sendable {
    /// Where entries live: this process's memory, or a PostgreSQL table every replica shares.
    public enum Backend: String, Sendable {
        case local, postgres
    }

    /// Who may be served an entry: the virtual key that stored it (the default), its team, or every caller.
    public enum Scope: String, Sendable, CaseIterable {
        case key, team, global
    }

    public var backend = Backend.local
    /// `type` as the config wrote it (`redis` is served by `backend`; the start-up warning says so).
    public var requestedType = "local"
    /// `ttl`: seconds an entry is served, over each backend's default.
    public var ttl: Double?
    /// `default_in_memory_ttl` (local, LiteLLM's 600 s) and `default_in_redis_ttl` (the shared table; LiteLLM keeps
    /// Redis entries for ever, a table here keeps them a day unless told).
    public var localTTL: Double = 600
    public var sharedTTL: Double = 86_400
    /// `namespace`: the key's prefix (`namespace:hash`).
    public var namespace: String?
    /// `supported_call_types`: LiteLLM's call-type names (`acompletion`, `aembedding`, …) looked up and stored.
    public var callTypes: Set<String> = CacheSettings.defaultCallTypes
    /// `mode: default_off`: only requests with `cache: {use-cache: true}` use the cache.
    public var defaultOn = true
    /// `max_messages`: requests with more messages (or Responses input items) are neither looked up nor stored.
    public var maximumMessages = 4
    /// `max_size_in_memory` (entries) and `max_size_per_item` (KiB): LiteLLM's bounds of the local cache.
    public var maximumEntries = 200
    public var maximumEntryBytes = 1024 * 1024
    /// `max_size_bytes` (this gateway's): the local cache's whole size; the least recently used entries go first.
    public var maximumBytes = 64 * 1024 * 1024
    /// `scope` (this gateway's): `key` unless the config shares entries across keys.
    public var scope = Scope.key
    /// `lookup_timeout_ms` (this gateway's): a lookup that takes longer is a miss, so a slow store never holds a
    /// request up for long.
    public var lookupTimeout: Duration = .milliseconds(250)

    public init() {}

    /// LiteLLM's `DEFAULT_CACHING_SUPPORTED_CALL_TYPES`.
    public static let defaultCallTypes: Set<String> = [
        "completion", "acompletion", "embedding", "aembedding", "atranscription", "transcription", "atext_completion",
        "text_completion", "arerank", "rerank", "responses", "aresponses", "anthropic_messages", "aanthropic_messages",
    ]

    /// The types LiteLLM knows; those other than `local` are served by the shared table (or memory without one).
    public static let liteLLMTypes: Set<String> = [
        "local", "redis", "redis-semantic", "valkey-semantic", "s3", "qdrant-semantic", "azure-blob", "gcs",
    ]

    /// Seconds an entry lives when nothing in the request or the config says.
    var backendTTL: Double { backend == .local ? localTTL : sharedTTL }

    /// What start-up says when the config asked for a type served differently, nil when it is served as asked.
    public var substitution: String? {
        guard requestedType != backend.rawValue else { return nil }
        let served = backend == .postgres ? "the shared PostgreSQL table" : "this process's memory (no database)"
        let semantic = requestedType.hasSuffix("semantic") ? "; matching is exact, not semantic" : ""
        return "litellm_settings.cache_params.type: '\(requestedType)' is served by \(served)\(semantic)"
    }
}
