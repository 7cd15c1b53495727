import Foundation
import Wire

extension ConformanceReport {
    /// JSON with every observed value, for machines and for `conformance diff`.
    public var json: JSON {
        [
            "target": .string(target),
            "summary": [
                "passed": .int(count(.passed)), "failed": .int(count(.failed)), "skipped": .int(count(.skipped)),
            ],
            "checks": .array(
                outcomes.map { outcome in
                    [
                        "id": .string(outcome.id),
                        "suite": .string(outcome.suite),
                        "description": .string(outcome.summary),
                        "status": .string(outcome.status.rawValue),
                        "message": outcome.message.map(JSON.string) ?? nil,
                        "litellm_1_110_2": .string(outcome.litellm.label),
                        "duration_ms": .double(
                            (Double(outcome.duration.components.seconds) * 1000 + Double(
                                outcome.duration.components.attoseconds
                            ) / 1e15 * 1).rounded()
                        ),
                        "observed": outcome.observed,
                    ]
                }
            ),
        ]
    }

    /// JUnit XML: one testcase per check, failures and skips with their message.
    public var junit: String {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml +=
            """
            <testsuites name="conformance" tests="\(outcomes.count)" \
            failures="\(count(.failed))" skipped="\(count(.skipped))">\n
            """
        let suites = Dictionary(grouping: outcomes, by: \.suite)
        for suite in suites.keys.sorted() {
            let cases = suites[suite] ?? []
            xml +=
                """
                  <testsuite name="\(HTMLText.escape(suite))" tests="\(cases.count)" \
                failures="\(cases.filter { $0.status == .failed }.count)" \
                skipped="\(cases.filter { $0.status == .skipped }.count)">\n
                """
            for outcome in cases {
                let seconds =
                    Double(outcome.duration.components.seconds) + Double(outcome.duration.components.attoseconds) / 1e18
                xml +=
                    """
                        <testcase classname="conformance.\(HTMLText.escape(suite))" \
                    name="\(HTMLText.escape(outcome.id))" \
                    time="\(String(format: "%.3f", seconds))">
                    """
                switch outcome.status {
                case .passed: break
                case .failed: xml += "<failure message=\"\(HTMLText.escape(outcome.message ?? ""))\"/>"
                case .skipped: xml += "<skipped message=\"\(HTMLText.escape(outcome.message ?? ""))\"/>"
                }
                xml += "</testcase>\n"
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    /// Checks whose outcome differs from what LiteLLM 1.110.2 gives (for a run against LiteLLM itself).
    public var litellmMismatches: [CheckOutcome] {
        outcomes.filter { outcome in
            switch (outcome.litellm, outcome.status) {
            case (.pass, .passed), (.deviation, .failed), (.skip, .skipped): return false
            default: return true
            }
        }
    }
}

/// Compares two runs: every check whose outcome or observed value differs.
public enum ConformanceDiff {
    public struct Difference: Sendable {
        public var id: String
        public var baseline: String
        public var candidate: String
    }

    /// Observed values that are expected to change between any two runs (ids, timings) are not compared.
    static let volatile: Set<String> = [
        "api.call-id", "stream.frames-unmerged", "stream.ttft-overhead", "azure.upstream-key",
    ]

    public static func compare(baseline: ConformanceReport, candidate: ConformanceReport) -> [Difference] {
        var differences: [Difference] = []
        let candidates = Dictionary(candidate.outcomes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for outcome in baseline.outcomes {
            guard let other = candidates[outcome.id] else { continue }
            if outcome.status != other.status {
                differences.append(
                    Difference(
                        id: outcome.id,
                        baseline: outcome.status.rawValue + (outcome.message.map { ": \($0)" } ?? ""),
                        candidate: other.status.rawValue + (other.message.map { ": \($0)" } ?? "")
                    )
                )
            } else if !volatile.contains(outcome.id), outcome.status == .passed, outcome.observed != other.observed {
                differences.append(
                    Difference(
                        id: outcome.id,
                        baseline: String(outcome.observed.serialized().prefix(200)),
                        candidate: String(other.observed.serialized().prefix(200))
                    )
                )
            }
        }
        return differences
    }
}
