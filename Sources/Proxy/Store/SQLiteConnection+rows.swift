import NIOConcurrencyHelpers
import SQLiteNIO

extension SQLiteConnection {
    /// The rows of `sql`. sqlite-nio's own `query(_:_:) -> [SQLiteRow]` appends to a `nonisolated(unsafe)` array on
    /// its thread pool and reads it after the await; ThreadSanitizer reported that as a race (once in five runs of
    /// the suites). Here the rows are collected under a lock, so the hand-over is one it can see.
    func rows(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        let collected = NIOLockedValueBox<[SQLiteRow]>([])
        try await query(sql, binds) { row in collected.withLockedValue { $0.append(row) } }
        return collected.withLockedValue { $0 }
    }
}
