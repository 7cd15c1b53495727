import NIOConcurrencyHelpers

/// Time limits on work that may ignore cancellation (a database that stops answering mid-query).
public enum Deadline {
    /// The work did not finish in time.
    public struct Expired: Error {}

    /// Runs `operation`, giving up after `limit` even when the operation ignores cancellation: the caller is released
    /// and the operation is cancelled and left to finish on its own.
    public static func run(within limit: Duration, _ operation: @escaping @Sendable () async throws -> Void)
        async throws
    {
        let outcome = Once()
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            outcome.set(continuation)
            let work = NIOLockedValueBox<Task<Void, Never>?>(nil)
            // The timer ends with the work: a finished operation leaves no task sleeping out the limit.
            let timer = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                work.withLockedValue { $0?.cancel() }
                outcome.resume(Expired())
            }
            work.withLockedValue { task in
                task = Task {
                    do {
                        try await operation()
                        outcome.resume(nil)
                    } catch {
                        outcome.resume(error)
                    }
                    timer.cancel()
                }
            }
        }
    }

    /// A continuation resumed by whichever side finishes first.
    final class Once: Sendable {
        let continuation = NIOLockedValueBox<CheckedContinuation<Void, any Error>?>(nil)
        func set(_ value: CheckedContinuation<Void, any Error>) { continuation.withLockedValue { $0 = value } }
        func resume(_ error: (any Error)?) {
            guard
                let pending = continuation.withLockedValue({ value in
                    defer { value = nil }; return value
                })
            else { return }
            if let error { pending.resume(throwing: error) } else { pending.resume() }
        }
    }
}
