import Wire

/// Azure's own request checks, on by default (`MockAzureConfiguration.strict`), so that tests see what a real
/// resource refuses: an argument the api-version does not know → `Unrecognized request argument supplied: X`;
/// o-series and other reasoning models refuse `max_tokens`, sampling penalties and log probabilities, and take
/// `temperature` / `top_p` only at their default 1. A scenario with `strict: false` relaxes them.
enum StrictParameters {
    /// The 400 Azure gives for the first argument it refuses in `body`, else nil.
    static func error(
        in body: JSONObject,
        operation: MockOperation,
        apiVersion: String,
        deployment: Deployment
    ) -> (status: Int, body: JSON)? {
        let accepted = AzureAPIParameters.accepted(operation, apiVersion: apiVersion)
        if let unknown = body.keys.first(where: { !accepted.contains($0) }) {
            return AzureError.invalidRequest(
                message: "Unrecognized request argument supplied: \(unknown)",
                param: nil,
                code: nil
            )
        }
        guard operation == .chatCompletions, deployment.isReasoningModel else { return nil }
        for name in ["max_tokens", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs"]
        where body[name].map({ !$0.isNull && $0 != false }) ?? false {
            return AzureError.unsupportedParameter(name)
        }
        for name in ["temperature", "top_p"] {
            if case .number(let text)? = body[name], Double(text) != 1 {
                return AzureError.invalidRequest(
                    message:
                        "Unsupported value: '\(name)' does not support \(text) with this model. Only the default (1) "
                        + "value is supported.",
                    param: name,
                    code: "unsupported_value"
                )
            }
        }
        return nil
    }
}
