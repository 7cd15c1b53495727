/// What a request routes by under tag-based routing.
public struct RoutingTags: Sendable, Equatable {
    /// The request's tags (its own, then its key's and team's).
    public var tags: [String]
    /// Its key's and team's tags (LiteLLM's `inherited_tags`): their `!`/`&` constraints survive a fail-open.
    public var inherited: [String]
    /// The `User-Agent` header: deployments' `tag_regex` patterns match `User-Agent: <it>`.
    public var userAgent: String?

    public init(tags: [String], inherited: [String] = [], userAgent: String? = nil) {
        self.tags = tags
        self.inherited = inherited
        self.userAgent = userAgent
    }
}

/// LiteLLM 1.110.2's tag-based routing over a group's deployments that are not cooling down: deployments with one
/// of the request's tags (all of them without `match_any`), else those tagged `default`, else all when the request
/// has no tag to route by; `!tag` excludes deployments carrying it, `&tag` requires it; `tag_regex` matches the
/// user agent. `nil`: the tags leave no deployment (LiteLLM's 401 "Not allowed to access model due to tags
/// configuration").
struct TagFilter: Sendable {
    var matchAny: Bool
    /// `tag_routing_prefix` ("": every request tag routes).
    var prefix: String

    /// Tags split as LiteLLM reads them: `&required`, `!excluded`, the rest positive (a lone `&` or `!` is none).
    struct Split {
        var required: Set<String> = []
        var positive: [String] = []
        var excluded: Set<String> = []

        init(_ tags: [String]) {
            for tag in tags {
                if tag.hasPrefix("&") || tag.hasPrefix("!") {
                    guard tag.count > 1 else { continue }
                    if tag.hasPrefix("&") {
                        required.insert(String(tag.dropFirst()))
                    } else {
                        excluded.insert(String(tag.dropFirst()))
                    }
                } else {
                    positive.append(tag)
                }
            }
        }
    }

    func filter(_ healthy: [ModelDeployment], group: [ModelDeployment], request: RoutingTags) -> [ModelDeployment]? {
        guard !healthy.isEmpty else { return healthy }
        let headers = request.userAgent.flatMap { $0.isEmpty ? nil : ["User-Agent: \($0)"] } ?? []
        let split = Split(routed(request))
        let policy = Split(request.inherited.map(stripped))
        let context = Context(
            healthy: healthy,
            group: group,
            split: split,
            policy: policy,
            confirmed: confirmed(request.tags)
        )
        let candidates = Self.requiring(Self.excluding(healthy, split.excluded), split.required)
        let positive =
            !split.positive.isEmpty
            || (!headers.isEmpty && split.required.isEmpty && candidates.contains { !$0.tagRegex.isEmpty })
        if !positive {
            if !split.excluded.isEmpty || !split.required.isEmpty {
                let pool =
                    split.required.isEmpty ? Self.excluding(Self.defaultPool(healthy), split.excluded) : candidates
                return resolve(pool, context)
            }
            return Self.defaultPool(healthy)
        }
        let matched = candidates.filter { matches($0, split.positive, headers: headers) }
        let defaults = candidates.filter { $0.tags.contains("default") }
        if matched.isEmpty, defaults.isEmpty || (!split.positive.isEmpty && context.known(split.positive)) {
            return resolve([], context)
        }
        return matched.isEmpty ? defaults : matched
    }

    /// What the fail-open decision reads.
    struct Context {
        var healthy: [ModelDeployment]
        var group: [ModelDeployment]
        var split: Split
        var policy: Split
        /// Tags sent with the routing prefix: declared routing intent, never taken for noise.
        var confirmed: Set<String>

        /// Whether a positive tag is one the group's deployments carry (or was sent with the prefix).
        func known(_ tags: [String]) -> Bool {
            let set = Set(tags)
            return !set.isDisjoint(with: confirmed) || group.contains { !set.isDisjoint(with: $0.tags) }
        }
    }

    /// The pool, else (when the group allows failing open and no invented `&tag` hides a narrower answer) the
    /// default-tagged deployments that still meet the key's and team's own constraints.
    func resolve(_ pool: [ModelDeployment], _ context: Context) -> [ModelDeployment]? {
        if !pool.isEmpty { return pool }
        let split = context.split
        let knownTags = Set(context.healthy.flatMap(\.tags)).union(context.confirmed)
        let knownRequired = split.required.intersection(knownTags)
        let hidesAnswer =
            !knownRequired.isEmpty && knownRequired != split.required
            && !Self.requiring(Self.excluding(context.healthy, split.excluded), knownRequired).isEmpty
        guard !hidesAnswer, context.group.contains(where: \.allowsFailOpen) else { return nil }
        let trusted = Self.requiring(
            Self.excluding(context.healthy, context.policy.excluded.intersection(split.excluded)),
            context.policy.required.intersection(split.required)
        )
        return trusted.isEmpty ? nil : Self.defaultPool(trusted)
    }

    func matches(_ deployment: ModelDeployment, _ positive: [String], headers: [String]) -> Bool {
        let tags = deployment.tags
        if !tags.isEmpty, !positive.isEmpty {
            let matched = matchAny ? !Set(tags).isDisjoint(with: positive) : Set(positive).isSubset(of: tags)
            if matched { return true }
        }
        // Without match_any a deployment's own tags are strict: a pattern may not route around them.
        guard matchAny || tags.isEmpty else { return false }
        return deployment.tagRegex.contains { pattern in
            guard let regex = try? Regex(pattern) else { return false }
            return headers.contains { $0.contains(regex) }
        }
    }

    /// The tags that route: all, or with a prefix only those carrying it (stripped) and the key's and team's.
    func routed(_ request: RoutingTags) -> [String] {
        guard !prefix.isEmpty else { return request.tags }
        let policy = Set(request.inherited)
        return request.tags.filter { $0.hasPrefix(prefix) || policy.contains($0) }.map(stripped)
    }

    func stripped(_ tag: String) -> String {
        !prefix.isEmpty && tag.hasPrefix(prefix) ? String(tag.dropFirst(prefix.count)) : tag
    }

    /// The bare values (no prefix, no `&`/`!`) of tags sent with the prefix.
    func confirmed(_ tags: [String]) -> Set<String> {
        guard !prefix.isEmpty else { return [] }
        return Set(
            tags.filter { $0.hasPrefix(prefix) }.map(stripped).compactMap { tag in
                guard tag.hasPrefix("&") || tag.hasPrefix("!") else { return tag }
                return tag.count > 1 ? String(tag.dropFirst()) : nil
            }
        )
    }

    static func excluding(_ deployments: [ModelDeployment], _ tags: Set<String>) -> [ModelDeployment] {
        tags.isEmpty ? deployments : deployments.filter { tags.isDisjoint(with: $0.tags) }
    }

    static func requiring(_ deployments: [ModelDeployment], _ tags: Set<String>) -> [ModelDeployment] {
        tags.isEmpty ? deployments : deployments.filter { tags.isSubset(of: $0.tags) }
    }

    /// The deployments tagged `default`, else all.
    static func defaultPool(_ deployments: [ModelDeployment]) -> [ModelDeployment] {
        let defaults = deployments.filter { $0.tags.contains("default") }
        return defaults.isEmpty ? deployments : defaults
    }
}
