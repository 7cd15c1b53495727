import Foundation
import Wire

/// LiteLLM's `litellm_content_filter`, in process: each pattern and word in config order over a text; a BLOCK match
/// refuses it, a MASK match is replaced by `[NAME_REDACTED]` (`[KEYWORD_REDACTED]` for a word). The expressions are
/// compiled once, at start-up.
struct ContentFilter: Sendable {
    /// One pattern or word, compiled.
    struct Rule: @unchecked Sendable {
        // NSRegularExpression is immutable once made and safe to match from any thread.
        let expression: NSRegularExpression
        let name: String
        let action: GuardrailSettings.Action
        /// For a word: its description, said in the refusal.
        let description: String?
        let isWord: Bool
    }

    /// A text the filter refused: what LiteLLM's HTTPException carries.
    struct Blocked: Error {
        var detail: JSON
        var message: String
    }

    let rules: [Rule]

    init(_ settings: GuardrailSettings) {
        var rules: [Rule] = []
        for pattern in settings.patterns {
            // The config reader compiled each one already; a pattern that fails here cannot happen.
            guard let expression = try? NSRegularExpression(pattern: pattern.regex) else { continue }
            rules.append(
                Rule(
                    expression: expression,
                    name: pattern.name,
                    action: pattern.action,
                    description: nil,
                    isWord: false
                )
            )
        }
        for word in settings.words {
            let escaped = NSRegularExpression.escapedPattern(for: word.keyword)
            guard
                let expression = try? NSRegularExpression(pattern: #"\b"# + escaped + #"\b"#, options: .caseInsensitive)
            else { continue }
            rules.append(
                Rule(
                    expression: expression,
                    name: word.keyword,
                    action: word.action,
                    description: word.description,
                    isWord: true
                )
            )
        }
        self.rules = rules
    }

    /// `text` with every MASK match replaced; `masked` counts them by name. Throws at the first BLOCK match, unless
    /// not `blocking` (what is logged is masked, never refused): a BLOCK match is then masked too.
    func apply(_ text: String, masked: inout [String: Int], blocking: Bool = true) throws(Blocked) -> String {
        var text = text
        for rule in rules {
            let range = NSRange(text.startIndex..., in: text)
            let count = rule.expression.numberOfMatches(in: text, range: range)
            guard count > 0 else { continue }
            switch rule.action {
            case .block where blocking:
                throw Self.blocked(rule)
            case .block, .mask:
                let tag = rule.isWord ? "[KEYWORD_REDACTED]" : "[\(rule.name.uppercased())_REDACTED]"
                text = rule.expression.stringByReplacingMatches(
                    in: text,
                    range: range,
                    withTemplate: NSRegularExpression.escapedTemplate(for: tag)
                )
                masked[rule.name, default: 0] += count
            }
        }
        return text
    }

    /// LiteLLM's refusal detail: `{"error": "Content blocked: …", "pattern": name}` or, for a word, `keyword` and
    /// `description`.
    static func blocked(_ rule: Rule) -> Blocked {
        if rule.isWord {
            var message = "Content blocked: keyword '\(rule.name)' detected"
            if let description = rule.description { message += " (\(description))" }
            return Blocked(
                detail: [
                    "error": .string(message), "keyword": .string(rule.name),
                    "description": rule.description.map(JSON.string) ?? .null,
                ],
                message: message
            )
        }
        let message = "Content blocked: \(rule.name) pattern detected"
        return Blocked(detail: ["error": .string(message), "pattern": .string(rule.name)], message: message)
    }
}
