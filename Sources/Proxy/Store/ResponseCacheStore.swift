import Foundation

/// An answer kept by the response cache: the body the client got (JSON text), when it was stored (`s-maxage` reads
/// it) and the deployment that answered (the hit's `x-litellm-model-id` and row).
public struct CachedAnswer: Sendable, Equatable {
    public var body: [UInt8]
    public var storedAt: Date
    public var modelID: String

    public init(body: [UInt8], storedAt: Date, modelID: String) {
        self.body = body
        self.storedAt = storedAt
        self.modelID = modelID
    }
}

/// Where the response cache keeps answers. An entry belongs to a scope (a key's hash, a team, or "" for all) and is
/// named by its LiteLLM cache key; it is not served after `expires`.
public protocol ResponseCacheStore: Sendable {
    /// `local` or `postgres`, as `/cache/ping` names it.
    var kind: String { get }
    func entry(scope: String, key: String, now: Date) async throws -> CachedAnswer?
    func store(scope: String, key: String, _ answer: CachedAnswer, expires: Date) async throws
    /// Removes the entries with these keys, in every scope; answers how many there were.
    func delete(keys: [String]) async throws -> Int
    func flush() async throws
}
