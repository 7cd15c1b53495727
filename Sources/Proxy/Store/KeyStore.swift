import Foundation

/// Where virtual keys live: the same database as the spend logs.
public protocol KeyStore: Sendable {
    func prepareKeys() async throws
    func insertKey(_ key: VirtualKey) async throws
    func key(token: String) async throws -> VirtualKey?
    func replaceKey(_ key: VirtualKey) async throws
    func deleteKeys(tokens: [String]) async throws -> [String]
    /// Newest first; only the owner's keys when one is given.
    func listKeys(owner: KeyOwner?, offset: Int, limit: Int) async throws -> [VirtualKey]
    func countKeys(owner: KeyOwner?) async throws -> Int
    /// Adds spend to keys (batched from the spend writer).
    func addKeySpend(_ increments: [String: Double]) async throws
}

extension KeyStore {
    public func listKeys(offset: Int, limit: Int) async throws -> [VirtualKey] {
        try await listKeys(owner: nil, offset: offset, limit: limit)
    }

    public func countKeys() async throws -> Int { try await countKeys(owner: nil) }
}

/// Whose keys a listing is of.
public enum KeyOwner: Sendable, Equatable {
    case user(String), team(String)

    var column: String {
        switch self {
        case .user: "user_id"
        case .team: "team_id"
        }
    }

    var id: String {
        switch self {
        case .user(let id), .team(let id): id
        }
    }
}
