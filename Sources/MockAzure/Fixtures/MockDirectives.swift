import Foundation

/// Scenario and fault choices written into a prompt, for callers that cannot set headers on the upstream request
/// (a proxy in between forwards the body, not custom headers): a line `#mock-scenario: NAME` or
/// `#mock-fault: 429 then 200` anywhere in the last user message (or a completions prompt). A directive written
/// `#mock-fault@DEPLOYMENT: …` (or `#mock-scenario@DEPLOYMENT: …`) applies to that deployment only, so one request
/// through a router can meet a failing deployment and a healthy one.
public struct MockDirectives: Sendable, Equatable {
    public var scenario: String?
    public var fault: String?
    public var deploymentScenarios: [String: String] = [:]
    public var deploymentFaults: [String: String] = [:]

    public init(text: String?) {
        guard let text, text.contains("#mock-") else { return }
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let value = MockDirectives.value(of: trimmed, prefix: "#mock-scenario:") { scenario = value }
            if let value = MockDirectives.value(of: trimmed, prefix: "#mock-fault:") { fault = value }
            if let (name, value) = MockDirectives.scoped(trimmed, prefix: "#mock-scenario@") {
                deploymentScenarios[name] = value
            }
            if let (name, value) = MockDirectives.scoped(trimmed, prefix: "#mock-fault@") {
                deploymentFaults[name] = value
            }
        }
    }

    /// The scenario for a request to `deployment`: its own directive, else the general one.
    public func scenario(for deployment: String) -> String? { deploymentScenarios[deployment] ?? scenario }

    /// The fault plan for a request to `deployment`: its own directive, else the general one.
    public func fault(for deployment: String) -> String? { deploymentFaults[deployment] ?? fault }

    static func scoped(_ line: String, prefix: String) -> (String, String)? {
        guard line.lowercased().hasPrefix(prefix), let colon = line.firstIndex(of: ":") else { return nil }
        let name = line[line.index(line.startIndex, offsetBy: prefix.count) ..< colon].trimmingCharacters(
            in: .whitespaces
        )
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return name.isEmpty || value.isEmpty ? nil : (name, value)
    }

    static func value(of line: String, prefix: String) -> String? {
        guard line.lowercased().hasPrefix(prefix) else { return nil }
        let value = line.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }
}
