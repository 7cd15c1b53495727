import Foundation

extension RetryClass {
    /// The wait before retry number `retry` (0 for the first): the upstream's `retry-after-ms` / `retry-after` when it
    /// is between 0 and 60 s, else 0.5·2ⁿ s capped at 8 s, plus up to 0.75 s of jitter (`jitter` in [0, 1)).
    public static func wait(beforeRetry retry: Int, headers: [(String, String)], jitter: Double) -> Duration {
        if let hinted = retryAfter(headers), hinted <= 60 { return .milliseconds(Int64((hinted * 1000).rounded())) }
        let base = min(0.5 * pow(2, Double(max(0, retry))), 8)
        return .milliseconds(Int64(((base + 0.75 * jitter) * 1000).rounded()))
    }

    /// The upstream's hint in seconds: `retry-after-ms`, else `retry-after` in seconds.
    public static func retryAfter(_ headers: [(String, String)]) -> Double? {
        func value(_ name: String) -> Double? {
            headers.first { $0.0.lowercased() == name }.flatMap { Double($0.1.trimmingCharacters(in: .whitespaces)) }
                .flatMap { $0 >= 0 ? $0 : nil }
        }
        if let milliseconds = value("retry-after-ms") { return milliseconds / 1000 }
        return value("retry-after")
    }
}
