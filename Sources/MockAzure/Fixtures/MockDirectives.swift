import Foundation

/// Scenario and fault choices written into a prompt, for callers that cannot set headers on the upstream request
/// (a proxy in between forwards the body, not custom headers): a line `#mock-scenario: NAME` or
/// `#mock-fault: 429 then 200` anywhere in the last user message (or a completions prompt).
public struct MockDirectives: Sendable, Equatable {
    public var scenario: String?
    public var fault: String?

    public init(text: String?) {
        guard let text, text.contains("#mock-") else { return }
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let value = MockDirectives.value(of: trimmed, prefix: "#mock-scenario:") { scenario = value }
            if let value = MockDirectives.value(of: trimmed, prefix: "#mock-fault:") { fault = value }
        }
    }

    static func value(of line: String, prefix: String) -> String? {
        guard line.lowercased().hasPrefix(prefix) else { return nil }
        let value = line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }
}
