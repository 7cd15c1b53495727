import Wire

extension ConfigReader {
    /// `litellm_settings.cache` turns the cache on; `cache_params` says how (LiteLLM reads it only then). `cache: true`
    /// alone is LiteLLM's Redis from `REDIS_HOST`; `cache_params` without a `type` is its in-memory cache.
    func cacheSettings(_ litellm: JSONObject, databaseURL: String?) throws(ConfigError) -> CacheSettings? {
        guard try bool(litellm["cache"], "litellm_settings.cache") == true else { return nil }
        let path = "litellm_settings.cache_params"
        let params = try litellm["cache_params"].map { value throws(ConfigError) in try object(value, path) }
        var cache = CacheSettings()
        let type = try string(params?["type"], "\(path).type") ?? (params == nil ? "redis" : "local")
        guard CacheSettings.liteLLMTypes.contains(type) || type == "postgres" else {
            throw fail("\(path).type", "expected one of local, redis, postgres, …; found '\(type.prefix(40))'")
        }
        if type == "postgres", databaseURL == nil {
            throw fail("\(path).type", "postgres needs general_settings.database_url (or DATABASE_URL)")
        }
        cache.requestedType = type
        cache.backend = type == "local" || databaseURL == nil ? .local : .postgres
        guard let params else { return cache }
        cache.ttl = try seconds(params["ttl"], "\(path).ttl")
        cache.localTTL = try seconds(params["default_in_memory_ttl"], "\(path).default_in_memory_ttl") ?? cache.localTTL
        cache.sharedTTL = try seconds(params["default_in_redis_ttl"], "\(path).default_in_redis_ttl") ?? cache.sharedTTL
        cache.namespace = try string(params["namespace"], "\(path).namespace").flatMap(nonEmpty)
        if let types = params["supported_call_types"], !types.isNull {
            cache.callTypes = Set(try stringList(types, "\(path).supported_call_types"))
        }
        switch try string(params["mode"], "\(path).mode") {
        case nil, "default_on": cache.defaultOn = true
        case "default_off": cache.defaultOn = false
        case let other?: throw fail("\(path).mode", "expected default_on or default_off, found '\(other.prefix(40))'")
        }
        cache.maximumMessages = try integer(params["max_messages"], "\(path).max_messages") ?? cache.maximumMessages
        if params["max_messages"]?.isNull == true { cache.maximumMessages = .max }  // LiteLLM's None: no limit
        cache.maximumEntries =
            try positiveInteger(params["max_size_in_memory"], "\(path).max_size_in_memory") ?? cache.maximumEntries
        if let kib = try positiveInteger(params["max_size_per_item"], "\(path).max_size_per_item") {
            cache.maximumEntryBytes = min(kib, 1 << 30) * 1024
        }
        if let bytes = try positiveInteger(params["max_size_bytes"], "\(path).max_size_bytes") {
            cache.maximumBytes = min(bytes, 1 << 40)
        }
        if let scope = try string(params["scope"], "\(path).scope") {
            guard let known = CacheSettings.Scope(rawValue: scope) else {
                throw fail("\(path).scope", "expected key, team or global, found '\(scope.prefix(40))'")
            }
            cache.scope = known
        }
        if let milliseconds = try integer(params["lookup_timeout_ms"], "\(path).lookup_timeout_ms") {
            guard milliseconds >= 1, milliseconds <= 60_000 else {
                throw fail("\(path).lookup_timeout_ms", "must be 1…60000")
            }
            cache.lookupTimeout = .milliseconds(milliseconds)
        }
        return cache
    }

    func positiveInteger(_ value: JSON?, _ path: String) throws(ConfigError) -> Int? {
        guard let number = try integer(value, path) else { return nil }
        guard number > 0 else { throw fail(path, "must be a whole number > 0") }
        return number
    }
}
