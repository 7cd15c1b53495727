import MockAzure

/// Where a stream's events arrived against a fixture's schedule.
public enum StreamSchedule {
    /// Problems with `events` against `frames`: an event merged into another's read, an event before its recorded
    /// time (sleeps never end early; 3 ms for clock granularity), or one held back more than `slack` ms.
    /// `violations` of the first stream `next` gives, or, when it has some, of a second one: with the whole test suite
    /// starting at once on two cores, a first stream can be held back by the machine rather than the code under test;
    /// code that holds frames back fails both.
    public static func violations(
        _ frames: [StreamFrame],
        slack: Double = 250,
        of next: () async throws -> [TimedEvent]
    ) async rethrows -> [String] {
        let first = violations(try await next(), frames, slack: slack)
        return first.isEmpty ? first : violations(try await next(), frames, slack: slack)
    }

    public static func violations(_ events: [TimedEvent], _ frames: [StreamFrame], slack: Double = 250) -> [String] {
        var problems: [String] = []
        if Set(events.map(\.readIndex)).count != events.count {
            problems.append("events merged: \(events.count) events in \(Set(events.map(\.readIndex)).count) reads")
        }
        var scheduled = 0.0
        for (index, (event, frame)) in zip(events, frames).enumerated() {
            scheduled += frame.delayMs
            if event.elapsed < .milliseconds(scheduled - 3) {
                problems.append("event \(index) at \(event.elapsed), before its scheduled \(scheduled) ms")
            }
            if event.elapsed > .milliseconds(scheduled + slack) {
                problems.append("event \(index) at \(event.elapsed), held back past \(scheduled) ms")
            }
        }
        return problems
    }
}
