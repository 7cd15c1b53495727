import Foundation
import NIOConcurrencyHelpers

/// LiteLLM's in-memory cache, bounded three ways: entries (`max_size_in_memory`), one entry's bytes
/// (`max_size_per_item`) and all of them (`max_size_bytes`); the least recently used entry goes first.
public final class LocalCacheStore: ResponseCacheStore {
    public let kind = "local"
    let maximumEntries: Int
    let maximumEntryBytes: Int
    let maximumBytes: Int
    private let lru = NIOLockedValueBox(LeastRecentlyUsed())

    public init(maximumEntries: Int, maximumEntryBytes: Int, maximumBytes: Int) {
        self.maximumEntries = maximumEntries
        self.maximumEntryBytes = maximumEntryBytes
        self.maximumBytes = maximumBytes
    }

    convenience init(_ settings: CacheSettings) {
        self.init(
            maximumEntries: settings.maximumEntries,
            maximumEntryBytes: settings.maximumEntryBytes,
            maximumBytes: settings.maximumBytes
        )
    }

    /// Entries held and their bytes (for tests and `/cache/ping`).
    public var usage: (entries: Int, bytes: Int) {
        lru.withLockedValue { ($0.nodes.count, $0.bytes) }
    }

    public func entry(scope: String, key: String, now: Date) async throws -> CachedAnswer? {
        cached(scope: scope, key: key, now: now)
    }

    public func store(scope: String, key: String, _ answer: CachedAnswer, expires: Date) async throws {
        insert(scope: scope, key: key, answer, expires: expires)
    }

    /// The entry, at once (the store is this process's memory: no task or suspension on the request path).
    func cached(scope: String, key: String, now: Date) -> CachedAnswer? {
        lru.withLockedValue { lru in
            let name = Self.name(scope, key)
            guard let node = lru.nodes[name] else { return nil }
            guard node.expires > now else {
                lru.remove(name)
                return nil
            }
            lru.touch(name)
            return node.answer
        }
    }

    func insert(scope: String, key: String, _ answer: CachedAnswer, expires: Date) {
        let size = answer.body.count + key.utf8.count + scope.utf8.count
        guard size <= maximumEntryBytes, size <= maximumBytes else { return }
        lru.withLockedValue { lru in
            lru.insert(Self.name(scope, key), answer, key: key, expires: expires, size: size)
            while lru.nodes.count > maximumEntries || lru.bytes > maximumBytes, let oldest = lru.oldest {
                lru.remove(oldest)
            }
        }
    }

    public func delete(keys: [String]) async throws -> Int {
        let doomed = Set(keys)
        return lru.withLockedValue { lru in
            let names = lru.nodes.filter { doomed.contains($0.value.key) }.map(\.key)
            for name in names { lru.remove(name) }
            return names.count
        }
    }

    public func flush() async throws {
        lru.withLockedValue { $0 = LeastRecentlyUsed() }
    }

    static func name(_ scope: String, _ key: String) -> String { scope + "\u{1F}" + key }
}

/// Entries in a doubly linked list by name, newest at the head: a hit moves its entry there, eviction takes the tail.
struct LeastRecentlyUsed {
    struct Node {
        var answer: CachedAnswer
        var key: String
        var expires: Date
        var size: Int
        var newer: String?
        var older: String?
    }

    var nodes: [String: Node] = [:]
    var newest: String?
    var oldest: String?
    var bytes = 0

    mutating func insert(_ name: String, _ answer: CachedAnswer, key: String, expires: Date, size: Int) {
        remove(name)
        nodes[name] = Node(answer: answer, key: key, expires: expires, size: size, newer: nil, older: newest)
        if let head = newest { nodes[head]?.newer = name }
        newest = name
        if oldest == nil { oldest = name }
        bytes += size
    }

    mutating func touch(_ name: String) {
        guard newest != name, let node = nodes[name] else { return }
        remove(name)
        insert(name, node.answer, key: node.key, expires: node.expires, size: node.size)
    }

    mutating func remove(_ name: String) {
        guard let node = nodes.removeValue(forKey: name) else { return }
        if let newer = node.newer { nodes[newer]?.older = node.older } else { newest = node.older }
        if let older = node.older { nodes[older]?.newer = node.newer } else { oldest = node.newer }
        bytes -= node.size
    }
}
