/// What a request presented as its key, read in LiteLLM's header order: `x-litellm-api-key` (with or without
/// `Bearer `), `Authorization: Bearer …`, `API-Key`, `x-api-key`. (`general_settings.litellm_key_header_name`
/// adds a custom header first.)
public enum PresentedKey: Sendable, Equatable {
    case none
    /// `Authorization` without the `Bearer ` prefix.
    case malformed
    case key(String)
}

public struct KeyExtractor: Sendable {
    public var customHeader: String?

    public init(customHeader: String? = nil) {
        self.customHeader = customHeader?.lowercased()
    }

    /// `header` looks a header up by lower-case name.
    public func extract(_ header: (String) -> String?) -> PresentedKey {
        if let customHeader, let value = header(customHeader), !value.isEmpty {
            return .key(KeyExtractor.stripBearer(value))
        }
        if let value = header("x-litellm-api-key"), !value.isEmpty { return .key(KeyExtractor.stripBearer(value)) }
        if let value = header("authorization"), !value.isEmpty {
            let trimmed = value.trimmingSpaces
            guard trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " else {
                // LiteLLM accepts a bare `Authorization: Bearer` with nothing after it as "no key".
                return trimmed.lowercased() == "bearer" ? .none : .malformed
            }
            let key = String(trimmed.dropFirst(7)).trimmingSpaces
            return key.isEmpty ? .none : .key(key)
        }
        if let value = header("api-key"), !value.isEmpty { return .key(KeyExtractor.stripBearer(value)) }
        if let value = header("x-api-key"), !value.isEmpty { return .key(KeyExtractor.stripBearer(value)) }
        return .none
    }

    static func stripBearer(_ value: String) -> String {
        let trimmed = value.trimmingSpaces
        if trimmed.count > 7, trimmed.prefix(7).lowercased() == "bearer " {
            return String(trimmed.dropFirst(7)).trimmingSpaces
        }
        return trimmed
    }
}

extension String {
    var trimmingSpaces: String {
        var view = Substring(self)
        while view.first == " " || view.first == "\t" { view = view.dropFirst() }
        while view.last == " " || view.last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
