import Wire

/// One conformance check: what it proves, what LiteLLM 1.110.2 gives, and how to run it.
public struct ConformanceCheck: Sendable {
    public enum Suite: String, Sendable, CaseIterable {
        case api, stream, errors, auth, logging, azure, router, entra, responses, passthrough, cache, guardrails
    }

    /// LiteLLM 1.110.2's outcome for this check, written down so a run can show where it differs.
    public enum LiteLLMOutcome: Sendable, Equatable {
        case pass
        /// LiteLLM fails this check, for the stated reason (a deliberate improvement of ours).
        case deviation(String)
        /// LiteLLM cannot be asked (e.g. it has no database in the reference run).
        case skip(String)

        public var label: String {
            switch self {
            case .pass: "pass"
            case .deviation: "fail"
            case .skip: "skip"
            }
        }
    }

    public enum Requirement: Sendable, Equatable {
        /// Runs against any upstream.
        case none
        /// Needs MockAzure: exact fixture values or its journal.
        case mock
    }

    public var id: String
    public var suite: Suite
    public var summary: String
    public var litellm: LiteLLMOutcome
    public var requirement: Requirement
    /// Only for proxies with this Azure credential (nil: any); the runner leaves the others out.
    public var auth: ConformanceTarget.UpstreamAuth?
    public var run: @Sendable (CheckContext) async throws -> JSON

    public init(
        _ id: String,
        _ suite: Suite,
        _ summary: String,
        litellm: LiteLLMOutcome = .pass,
        requires requirement: Requirement = .none,
        auth: ConformanceTarget.UpstreamAuth? = nil,
        run: @escaping @Sendable (CheckContext) async throws -> JSON
    ) {
        self.id = id
        self.suite = suite
        self.summary = summary
        self.litellm = litellm
        self.requirement = requirement
        self.auth = auth
        self.run = run
    }
}

/// Thrown by a check whose expectation does not hold; the message says what was seen.
public struct CheckFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var observed: JSON

    public init(_ message: String, observed: JSON = nil) {
        self.message = message
        self.observed = observed
    }

    public var description: String { message }
}

/// Thrown by a check that cannot run against this target (a model it lacks, an endpoint that is not there yet).
public struct CheckSkipped: Error, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}
