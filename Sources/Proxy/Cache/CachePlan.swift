import Foundation
import Wire

/// What the cache does for one request, from the config and the request's own controls (LiteLLM's names): the
/// body's `cache: {no-cache, no-store, ttl, s-maxage, namespace, use-cache}`, `caching: false`, a `cache_key` of the
/// client's choosing, and a `Cache-Control: s-maxage=N` header (a TTL when the config sets none).
struct CachePlan: Sendable, Equatable {
    /// LiteLLM's key: `x-litellm-cache-key` and the row's `cache_key`.
    var key: String
    /// Whose entries it may read and write (`CacheSettings.Scope`): a key's hash, a team id, or "" for everyone. A
    /// `cache_key` of the client's choosing stays in its key's scope whatever the config shares: with a key anyone can
    /// compute, a shared scope would let one caller answer another's request.
    var scope: String
    /// The model group the request was routed on: only its own deployments' answers are stored (not a fallback's)
    /// and served.
    var group: String
    /// `no-cache` (and `caching: false`) skip the lookup; the answer is still stored.
    var lookup = true
    /// `no-store`: the answer is not stored.
    var store = true
    var ttl: Double
    /// `s-maxage`: an entry older than this many seconds is a miss.
    var maximumAge: Double?

    /// nil when the cache does not serve this request: a call type it does not cover, a stream other than chat's
    /// (replayed as chat chunks), more messages than `max_messages`, or `mode: default_off` without `use-cache`.
    init?(
        body: JSONObject,
        operation: ProxyOperation,
        isStream: Bool,
        group: String,
        caller: Caller,
        cacheControl: String?,
        settings: CacheSettings
    ) {
        guard
            settings.callTypes.contains(operation.callType)
                || settings.callTypes.contains(String(operation.callType.dropFirst()))
        else { return nil }
        switch operation {
        case .chatCompletions: break
        case .completions, .embeddings, .responses: guard !isStream else { return nil }
        default: return nil
        }
        guard Self.turns(body) <= settings.maximumMessages else { return nil }
        let controls = body["cache"]?.objectValue ?? JSONObject()
        guard settings.defaultOn || controls["use-cache"].map(LiteLLMFlag.truthy) == true else { return nil }

        let namespace =
            controls["namespace"]?.stringValue ?? body["metadata"]?["redis_namespace"]?.stringValue
            ?? settings.namespace
        let custom = body["cache_key"]?.stringValue
        key = custom ?? CacheKey.key(body, group: group, chat: operation == .chatCompletions, namespace: namespace)
        self.group = group
        switch custom == nil ? settings.scope : .key {
        case .key: scope = "key:" + caller.keyHash
        case .team: scope = caller.teamID.map { "team:" + $0 } ?? "key:" + caller.keyHash
        case .global: scope = ""
        }
        lookup =
            !(controls["no-cache"].map(LiteLLMFlag.truthy) ?? false)
            && (body["caching"].map { $0.isNull || LiteLLMFlag.truthy($0) } ?? true)
        store = !(controls["no-store"].map(LiteLLMFlag.truthy) ?? false)
        let headerTTL = cacheControl.flatMap(Self.sharedMaximumAge)
        ttl =
            Self.seconds(controls["ttl"]) ?? settings.ttl ?? headerTTL ?? Self.seconds(body["ttl"])
            ?? settings.backendTTL
        maximumAge = Self.seconds(controls["s-maxage"]) ?? Self.seconds(controls["s-max-age"])
    }

    /// The longest TTL or age a request may give (a year), so that dates stay far from overflow.
    static let longest: Double = 366 * 86_400

    /// LiteLLM's count for `max_messages`: chat `messages`, else the `input` items that are objects other than
    /// files (an embeddings request's strings count as none).
    static func turns(_ body: JSONObject) -> Int {
        if let messages = body["messages"]?.arrayValue { return messages.count }
        let items = body["input"]?.arrayValue ?? []
        return items.filter { $0.objectValue != nil && $0["type"]?.stringValue != "file" }.count
    }

    /// Whether an entry stored at `storedAt` may be served at `now` (`s-maxage`).
    func accepts(storedAt: Date, now: Date) -> Bool {
        guard let maximumAge else { return true }
        return now.timeIntervalSince(storedAt) <= maximumAge
    }

    /// `s-maxage=N` from a Cache-Control header, which LiteLLM splits on `, `.
    static func sharedMaximumAge(_ header: String) -> Double? {
        for directive in header.split(separator: ",") {
            let parts = directive.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "s-maxage", let value = Double(parts[1]), value >= 0 {
                return min(value, CachePlan.longest)
            }
        }
        return nil
    }

    /// A number of seconds ≥ 0, as a number or a numeric string.
    static func seconds(_ value: JSON?) -> Double? {
        let number: Double?
        switch value {
        case .number(let text)?, .string(let text)?: number = Double(text)
        default: number = nil
        }
        guard let number, number.isFinite, number >= 0 else { return nil }
        return min(number, CachePlan.longest)
    }
}
