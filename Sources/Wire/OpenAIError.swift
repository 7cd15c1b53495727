/// The error body OpenAI clients parse: `{"error":{"message","type","param","code"}}`. LiteLLM always sends all four
/// keys, with `code` as the HTTP status in a string; extra members (such as `provider_specific_fields`) follow.
public struct OpenAIError: Error, Sendable, Equatable {
    public var status: Int
    public var message: String
    public var type: String?
    public var param: String?
    public var code: String?
    /// Members appended inside `error` after the four standard ones.
    public var extra: JSONObject

    public init(
        status: Int,
        message: String,
        type: String?,
        param: String? = nil,
        code: String? = nil,
        extra: JSONObject = JSONObject()
    ) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code ?? String(status)
        self.extra = extra
    }

    public var json: JSON {
        var error: JSONObject = [
            "message": .string(message),
            "type": type.map(JSON.string) ?? .null,
            "param": param.map(JSON.string) ?? .null,
            "code": code.map(JSON.string) ?? .null,
        ]
        for member in extra { error[member.key] = member.value }
        return .object(["error": .object(error)])
    }

    /// Reads an error body of this shape back (conformance checks, tests). Nil when the body is not one.
    public init?(status: Int, body: JSON) {
        guard let error = body["error"]?.objectValue, let message = error["message"]?.stringValue else { return nil }
        self.status = status
        self.message = message
        self.type = error["type"]?.stringValue
        self.param = error["param"]?.stringValue
        self.code = error["code"]?.stringValue ?? error["code"]?.intValue.map(String.init)
        var extra = JSONObject()
        for member in error where !["message", "type", "param", "code"].contains(member.key) {
            extra[member.key] = member.value
        }
        self.extra = extra
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements)
    }
}
