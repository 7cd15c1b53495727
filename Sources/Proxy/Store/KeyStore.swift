import Foundation

/// Where virtual keys live: the same database as the spend logs.
public protocol KeyStore: Sendable {
    func prepareKeys() async throws
    func insertKey(_ key: VirtualKey) async throws
    func key(token: String) async throws -> VirtualKey?
    func replaceKey(_ key: VirtualKey) async throws
    func deleteKeys(tokens: [String]) async throws -> [String]
    func listKeys(offset: Int, limit: Int) async throws -> [VirtualKey]
    func countKeys() async throws -> Int
    /// Adds spend to keys (batched from the spend writer).
    func addKeySpend(_ increments: [String: Double]) async throws
}
