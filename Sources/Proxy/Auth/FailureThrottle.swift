import NIOConcurrencyHelpers

/// Counts failed attempts per client address (UI logins, unknown keys) and refuses an address that failed too
/// often in its window until the window ends, so passwords and keys cannot be guessed at request speed. Bounded:
/// past `maximumAddresses` the oldest window is dropped.
public final class FailureThrottle: Sendable {
    public typealias Configuration = FailureLimit

    struct Entry {
        var failures: Int
        var windowEnds: ContinuousClock.Instant
    }

    public let configuration: Configuration
    let entries = NIOLockedValueBox<[String: Entry]>([:])
    let now: @Sendable () -> ContinuousClock.Instant

    public init(_ configuration: Configuration, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.configuration = configuration
        self.now = now
    }

    /// Seconds until the address may try again (rounded up), or nil when it may now.
    public func retryAfter(_ address: String?) -> Int? {
        guard let address else { return nil }
        let now = self.now()
        return entries.withLockedValue { entries -> Int? in
            guard let entry = entries[address] else { return nil }
            guard entry.windowEnds > now else {
                entries[address] = nil
                return nil
            }
            guard entry.failures >= configuration.limit else { return nil }
            let left = entry.windowEnds - now
            return max(1, Int(left.components.seconds) + (left.components.attoseconds > 0 ? 1 : 0))
        }
    }

    /// One more failure from the address.
    public func failed(_ address: String?) {
        guard let address else { return }
        let now = self.now()
        entries.withLockedValue { entries in
            if var entry = entries[address], entry.windowEnds > now {
                entry.failures += 1
                entries[address] = entry
                return
            }
            if entries.count >= configuration.maximumAddresses {
                entries = entries.filter { $0.value.windowEnds > now }
                if entries.count >= configuration.maximumAddresses,
                    let oldest = entries.min(by: { $0.value.windowEnds < $1.value.windowEnds })
                {
                    entries[oldest.key] = nil
                }
            }
            entries[address] = Entry(failures: 1, windowEnds: now + configuration.window)
        }
    }
}
