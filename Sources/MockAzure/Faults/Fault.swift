import Foundation

/// A failure the simulator injects instead of (or in the middle of) a normal answer.
public enum Fault: Sendable, Equatable {
    /// Answer normally (`200` / `ok` in a sequence).
    case none
    /// Azure's error body and headers for 408, 429, 500 or 503 (any other status gets a generic Azure body).
    case status(Int)
    /// Hold the request without answering (until the hang time runs out or the server stops).
    case hang
    /// Send this many stream frames (or half of a plain body), then drop the connection.
    case disconnectAfter(Int)
    /// Send this many stream frames, then say nothing for the hang time (a plain answer hangs before its headers).
    case stallAfter(Int)
    /// A frame (or body) that is not valid JSON.
    case malformedFrame
}

/// The faults named by header `x-mock-fault`: one fault, or a sequence such as `429 then 200` (also `429,200`)
/// that successive requests with the same header walk through, so a client's retries can be tested.
public struct FaultPlan: Sendable, Equatable {
    public var steps: [Fault]

    public init(steps: [Fault]) { self.steps = steps }

    public struct ParseError: Error, Sendable, Equatable {
        public var token: String
    }

    public static func parse(_ header: String) throws(ParseError) -> FaultPlan {
        let normalized = header.lowercased().replacingOccurrences(of: " then ", with: ",")
        var steps: [Fault] = []
        for raw in normalized.split(separator: ",") {
            let token = raw.trimmingCharacters(in: .whitespaces)
            steps.append(try parseStep(token))
        }
        guard !steps.isEmpty else { throw ParseError(token: header) }
        return FaultPlan(steps: steps)
    }

    static func parseStep(_ token: String) throws(ParseError) -> Fault {
        switch token {
        case "200", "ok", "none": return .none
        case "hang": return .hang
        case "disconnect": return .disconnectAfter(1)
        case "stall": return .stallAfter(1)
        case "malformed-frame", "malformed": return .malformedFrame
        default:
            if token.hasPrefix("disconnect-after:"), let count = Int(token.dropFirst("disconnect-after:".count)),
                count >= 0
            {
                return .disconnectAfter(count)
            }
            if token.hasPrefix("stall-after:"), let count = Int(token.dropFirst("stall-after:".count)), count >= 0 {
                return .stallAfter(count)
            }
            if let status = Int(token), (400 ... 599).contains(status) { return .status(status) }
            throw ParseError(token: token)
        }
    }
}
