import Wire

/// A boolean as LiteLLM reads one from YAML or a request: `true`, or a word such as `"true"` / `"off"`
/// (nil for anything else).
enum LiteLLMFlag {
    static func value(_ json: JSON?) -> Bool? {
        switch json {
        case .bool(let flag)?: flag
        case .string(let text)?:
            switch text.lowercased() {
            case "true", "yes", "y", "1", "on": true
            case "false", "no", "n", "0", "off": false
            default: nil
            }
        default: nil
        }
    }

    /// Python's truth of a request value where LiteLLM tests one (`if data.get("no-cache")`): a flag word as
    /// `value` reads it, else anything but null, false and 0.
    static func truthy(_ json: JSON) -> Bool {
        value(json) ?? !(json.isNull || json == 0)
    }
}
