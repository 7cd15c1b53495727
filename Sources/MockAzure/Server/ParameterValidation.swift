import Wire

/// The integer parameters Azure OpenAI validates before anything runs, with OpenAI's validation wording (Azure relays
/// it for its OpenAI models): `max_tokens` / `max_completion_tokens` in 1…2³¹−1, `dimensions` in 1…the model's width.
/// Without this a request could crash the simulator: `dimensions: -1` made an empty range trap, `max_tokens: 2⁶³−1`
/// overflowed the quota arithmetic, `dimensions: 2³¹` allocated 8 GiB.
enum ParameterValidation {
    static let maximumOutputTokens = 2_147_483_647

    /// The 400 for the first invalid parameter of `body`, else nil.
    static func error(in body: JSON, operation: MockOperation, deployment: Deployment) -> (status: Int, body: JSON)? {
        switch operation {
        case .embeddings:
            return integer("dimensions", body["dimensions"], in: 1 ... max(1, deployment.dimensions))
        case .chatCompletions, .completions:
            return integer("max_tokens", body["max_tokens"], in: 1 ... maximumOutputTokens)
                ?? integer("max_completion_tokens", body["max_completion_tokens"], in: 1 ... maximumOutputTokens)
        }
    }

    /// nil when `value` is absent, null or an integer within `range`.
    static func integer(_ name: String, _ value: JSON?, in range: ClosedRange<Int>) -> (status: Int, body: JSON)? {
        guard let value, !value.isNull else { return nil }
        guard case .number(let text) = value else {
            return AzureError.invalidRequest(
                message: "Invalid type for '\(name)': expected an integer, but got \(article(value)) instead.",
                param: name,
                code: "invalid_type"
            )
        }
        // An integer too large for Int (2⁶⁴, 1e30) is still an integer: out of range, not of the wrong type.
        let number: Double
        if let exact = value.intValue {
            if range.contains(exact) { return nil }
            number = Double(exact)
        } else if let double = Double(text), double.isFinite, double == double.rounded() {
            number = double
        } else {
            return AzureError.invalidRequest(
                message: "Invalid type for '\(name)': expected an integer, but got a decimal number instead.",
                param: name,
                code: "invalid_type"
            )
        }
        if number < Double(range.lowerBound) {
            return AzureError.invalidRequest(
                message:
                    """
                    Invalid '\(name)': integer below minimum value. Expected a value >= \(range.lowerBound), but got \
                    \(text) instead.
                    """,
                param: name,
                code: "integer_below_min_value"
            )
        }
        return AzureError.invalidRequest(
            message:
                """
                Invalid '\(name)': integer above maximum value. Expected a value <= \(range.upperBound), but got \
                \(text) instead.
                """,
            param: name,
            code: "integer_above_max_value"
        )
    }

    static func article(_ value: JSON) -> String {
        switch value {
        case .string: "a string"
        case .bool: "a boolean"
        case .array: "an array"
        case .object: "an object"
        default: "a number"
        }
    }
}
