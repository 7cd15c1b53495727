import Foundation

/// Durations as LiteLLM writes them in configs and key fields.
public enum DurationText {
    /// `30s`, `5m`, `24h`, `30d`, `1mo` → seconds; nil beyond 100 years (`1e300d` made an expiry date that trapped
    /// when written as a timestamp).
    public static func seconds(_ duration: String) -> Double? {
        let text = duration.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [
            ("mo", 2_592_000), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604_800),
        ]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value > 0, value * factor <= 3_153_600_000 else {
                return nil
            }
            return value * factor
        }
        return nil
    }
}
