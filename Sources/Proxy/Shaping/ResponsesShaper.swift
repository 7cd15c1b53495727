import Wire

/// The Responses API's answers as LiteLLM gives them: the response id names the deployment (`ResponseID`), every
/// other field as the upstream sent it; usage read in chat's terms for cost and the spend row.
enum ResponsesShaper {
    /// A response object (or a delete result) with its id made the proxy's.
    static func answer(_ json: JSON, deployment: ModelDeployment) -> JSON {
        guard case .object(var object) = json, let id = object["id"]?.stringValue else { return json }
        object["id"] = .string(
            ResponseID.encode(provider: deployment.provider.rawValue, modelID: deployment.id, responseID: id)
        )
        return .object(object)
    }

    /// A Responses usage block in chat's terms, as LiteLLM logs it: input tokens (cached included) are the prompt,
    /// output tokens (reasoning included) the completion.
    static func chatUsage(_ usage: JSON?) -> JSON? {
        guard let usage, case .object = usage else { return nil }
        let input = usage["input_tokens"]?.intValue ?? 0
        let output = usage["output_tokens"]?.intValue ?? 0
        var chat: JSONObject = [
            "prompt_tokens": .int(input), "completion_tokens": .int(output),
            "total_tokens": .int(usage["total_tokens"]?.intValue ?? input + output),
        ]
        if let details = usage["input_tokens_details"], !details.isNull { chat["prompt_tokens_details"] = details }
        if let details = usage["output_tokens_details"], !details.isNull {
            chat["completion_tokens_details"] = details
        }
        return .object(chat)
    }
}

/// Shapes a Responses stream event by event: the events that carry the response (`response.created`,
/// `…in_progress`, `…completed`, `…failed`, `…incomplete`, `…queued`) get the proxy's id; item events pass as
/// they are. I/O-free: the relay feeds it parsed events.
struct ResponsesStreamShaper: Sendable {
    let deployment: ModelDeployment
    /// The last sequence number seen, so a failure the proxy reports continues the count.
    var sequence = -1
    /// The response as `response.created` described it, for a failure event.
    var snapshot: JSONObject?
    /// The response of a terminal event (`response.completed`, `response.failed`, `response.incomplete`), once
    /// one arrived: for the spend row.
    var final: JSON?

    init(deployment: ModelDeployment) { self.deployment = deployment }

    static let terminal: Set<String> = ["response.completed", "response.failed", "response.incomplete"]

    mutating func shape(_ event: JSON) -> JSON {
        if let number = event["sequence_number"]?.intValue { sequence = max(sequence, number) }
        guard case .object(var object) = event, let response = object["response"] else { return event }
        let shaped = ResponsesShaper.answer(response, deployment: deployment)
        object["response"] = shaped
        if snapshot == nil, case .object(let fields) = shaped { snapshot = fields }
        if let type = object["type"]?.stringValue, ResponsesStreamShaper.terminal.contains(type) { final = shaped }
        return .object(object)
    }

    /// LiteLLM's ending for a stream the upstream broke before a terminal event: `response.failed` with the error.
    func failure(code: String, message: String) -> JSON {
        var response = snapshot ?? ["object": "response"]
        response["status"] = "failed"
        response["error"] = ["code": .string(code), "message": .string(message)]
        return ["type": "response.failed", "sequence_number": .int(sequence + 1), "response": .object(response)]
    }
}
