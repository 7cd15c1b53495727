import NIOConcurrencyHelpers

/// Whether the relay waits for the upstream, and since when, for the idle watchdog: time spent writing to a
/// slow client is not the upstream's idleness.
final class IdleWatch: Sendable {
    struct State {
        var last = ContinuousClock.now
        var waiting = true
        var expired = false
        var finished = false
    }

    let state = NIOLockedValueBox(State())

    var expired: Bool { state.withLockedValue { $0.expired } }

    func received() { state.withLockedValue { ($0.last, $0.waiting) = (.now, false) } }

    func waiting() { state.withLockedValue { ($0.last, $0.waiting) = (.now, true) } }

    func finish() { state.withLockedValue { $0.finished = true } }

    /// Returns once nothing happened for `timeout` (marking it expired), or when cancelled or finished.
    func expire(after timeout: Duration) async {
        while true {
            let deadline = state.withLockedValue { $0.last } + timeout
            do {
                try await Task.sleep(until: deadline, clock: .continuous)
            } catch {
                return
            }
            let fired = state.withLockedValue { state -> Bool? in
                if state.finished { return nil }
                guard state.waiting, ContinuousClock.now - state.last >= timeout else { return false }
                state.expired = true
                return true
            }
            if fired != false { return }
        }
    }

    /// `relay` (given the watch, nil without a timeout) until it ends, or until the upstream has been silent for
    /// `timeout` while the relay waited for it: then the relay's task is cancelled, which stops its upstream read, and
    /// what it returns says so. `empty`: the answer if neither task gave one.
    static func race<Summary: Sendable>(
        _ timeout: Duration?,
        empty: Summary,
        relay: @escaping @Sendable (IdleWatch?) async -> Summary
    ) async -> Summary {
        guard let timeout else { return await relay(nil) }
        let watch = IdleWatch()
        return await withTaskGroup(of: Summary?.self) { group in
            group.addTask { await relay(watch) }
            group.addTask {
                await watch.expire(after: timeout)
                return nil
            }
            var result = empty
            while let finished = await group.next() {
                // The relay ended (stop the watchdog), or the watchdog fired (stop the upstream read).
                if let finished { result = finished }
                group.cancelAll()
            }
            return result
        }
    }
}
