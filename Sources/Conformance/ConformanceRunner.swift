import Foundation
import Wire

/// The outcome of one check in one run.
public struct CheckOutcome: Sendable {
    public enum Status: String, Sendable { case passed, failed, skipped }

    public var id: String
    public var suite: String
    public var summary: String
    public var status: Status
    public var message: String?
    public var observed: JSON
    public var litellm: ConformanceCheck.LiteLLMOutcome
    public var duration: Duration
}

/// A whole run: what was targeted and every outcome.
public struct ConformanceReport: Sendable {
    public var target: String
    public var outcomes: [CheckOutcome]

    public func count(_ status: CheckOutcome.Status) -> Int { outcomes.filter { $0.status == status }.count }
    /// `N passed, N failed, N skipped`
    public var summaryLine: String { "\(count(.passed)) passed, \(count(.failed)) failed, \(count(.skipped)) skipped" }
}

/// Selects checks and runs them one after another against a target.
public struct ConformanceRunner: Sendable {
    public var target: ConformanceTarget
    public var suites: Set<ConformanceCheck.Suite>
    /// Only checks whose id contains this text (or matches it as a `*` glob).
    public var only: String?

    public init(
        target: ConformanceTarget,
        suites: Set<ConformanceCheck.Suite> = Set(ConformanceCheck.Suite.allCases),
        only: String? = nil
    ) {
        self.target = target
        self.suites = suites
        self.only = only
    }

    public func selected(from checks: [ConformanceCheck] = ConformanceCatalog.all) -> [ConformanceCheck] {
        checks.filter { check in
            suites.contains(check.suite) && ConformanceRunner.matches(check.id, only)
                && (check.auth == nil || check.auth == target.upstreamAuth)
        }
    }

    static func matches(_ id: String, _ pattern: String?) -> Bool {
        guard let pattern, !pattern.isEmpty else { return true }
        if !pattern.contains("*") { return id.contains(pattern) }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(id)
        for (index, part) in parts.enumerated() where !part.isEmpty {
            guard let range = rest.range(of: part) else { return false }
            if index == 0, range.lowerBound != rest.startIndex { return false }
            rest = rest[range.upperBound...]
        }
        return parts.last?.isEmpty == true || rest.isEmpty
    }

    /// Whether the proxy answers at all (a usage or connection error ends the run with exit code 2).
    public func reachable() async -> Bool {
        (try? await HTTPProbe.request(.GET, target.proxy + "/health/liveliness", timeout: .seconds(10))) != nil
    }

    public func run(
        checks: [ConformanceCheck]? = nil,
        progress: @Sendable (ConformanceCheck, CheckOutcome) -> Void = { _, _ in }
    ) async -> ConformanceReport {
        let models =
            (try? await HTTPProbe.request(
                .GET,
                target.proxy + "/v1/models",
                headers: [("authorization", "Bearer \(target.key)")]
            ))?.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
        let context = CheckContext(target: target, availableModels: Set(models))
        var outcomes: [CheckOutcome] = []
        for check in checks ?? selected() {
            let started = ContinuousClock.now
            var outcome = CheckOutcome(
                id: check.id,
                suite: check.suite.rawValue,
                summary: check.summary,
                status: .passed,
                message: nil,
                observed: nil,
                litellm: check.litellm,
                duration: .zero
            )
            if check.requirement == .mock, target.mockURL == nil {
                outcome.status = .skipped
                outcome.message = "needs --upstream mock"
            } else {
                do {
                    outcome.observed = try await check.run(context)
                } catch let failure as CheckFailure {
                    outcome.status = .failed
                    outcome.message = failure.message
                    outcome.observed = failure.observed
                } catch let skipped as CheckSkipped {
                    outcome.status = .skipped
                    outcome.message = skipped.reason
                } catch {
                    outcome.status = .failed
                    outcome.message = "error: \(error)"
                }
            }
            outcome.duration = ContinuousClock.now - started
            progress(check, outcome)
            outcomes.append(outcome)
        }
        return ConformanceReport(target: target.proxy, outcomes: outcomes)
    }
}
