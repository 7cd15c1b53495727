import NIOConcurrencyHelpers

/// Remembers how far each fault sequence has got. The key is the `x-mock-fault` text plus the optional
/// `x-mock-fault-key` header; a sequence that reaches its last step starts over, so the same header replays the
/// same story on the next run.
public final class FaultSequencer: Sendable {
    private let positions = NIOLockedValueBox<[String: Int]>([:])
    /// Sequences remembered at most; beyond it the oldest state is forgotten wholesale (bounded memory).
    let capacity: Int

    public init(capacity: Int = 10_000) { self.capacity = capacity }

    public func next(_ plan: FaultPlan, key: String) -> Fault {
        guard plan.steps.count > 1 else { return plan.steps[0] }
        return positions.withLockedValue { positions in
            let index = positions[key] ?? 0
            if index + 1 >= plan.steps.count {
                positions[key] = nil
            } else {
                if positions.count >= capacity { positions.removeAll() }
                positions[key] = index + 1
            }
            return plan.steps[min(index, plan.steps.count - 1)]
        }
    }

    public func reset() { positions.withLockedValue { $0.removeAll() } }
}

/// Seeded random faults for soak and chaos runs: with probability `rate`, one of 429, 500, 503, hang, a mid-stream
/// disconnect or a malformed frame. The same seed gives the same sequence of faults.
public final class RandomFaults: Sendable {
    private let generator: NIOLockedValueBox<SplitMix64>
    public let rate: Double

    public init(rate: Double, seed: UInt64) {
        self.rate = rate
        self.generator = NIOLockedValueBox(SplitMix64(seed: seed ^ 0xFA17))
    }

    public func next() -> Fault {
        guard rate > 0 else { return .none }
        return generator.withLockedValue { rng in
            let draw = Double(rng.next() >> 11) / Double(1 << 53)
            guard draw < rate else { return .none }
            switch rng.next() % 6 {
            case 0: return .status(429)
            case 1: return .status(500)
            case 2: return .status(503)
            case 3: return .hang
            case 4: return .disconnectAfter(1 + Int(rng.next() % 3))
            default: return .malformedFrame
            }
        }
    }
}
