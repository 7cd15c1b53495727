import Wire

/// Shapes an upstream stream frame by frame, as LiteLLM's clients expect (`StreamShape.litellm`), losing nothing:
/// - Azure's first frame (`choices: []` with `prompt_filter_results`) is held, and its `prompt_filter_results` rides
///   at the top level of the first frame that has choices;
/// - an asynchronous-filter annotation choice (no `delta`) gets an empty `delta`, its filter fields kept;
/// - the usage frame (`choices: []`) is sent only when the client asked for usage, as OpenAI does;
/// - a frame with choices but Azure's blank `id`/`model`/`object` gets the stream's.
/// With `StreamShape.azure` frames pass as they come. I/O-free: the relay feeds it parsed frames.
struct StreamShaper: Sendable {
    let deployment: ModelDeployment
    let clientWantsUsage: Bool
    let shape: StreamShape
    /// `prompt_filter_results` of frames without choices, waiting for a frame that has them.
    var pendingPromptFilters: [JSON] = []
    /// The stream's `id`, `model` and `object`, for annotation frames that leave them blank.
    var identity: [String: JSON] = [:]
    /// A chat stream answering `/completions`, or a completions stream answering chat (`TextCompletion`).
    var conversion = TextCompletion.Conversion.none

    init(deployment: ModelDeployment, clientWantsUsage: Bool, shape: StreamShape) {
        self.deployment = deployment
        self.clientWantsUsage = clientWantsUsage
        self.shape = shape
    }

    /// The frame to send for `chunk`, or nil when nothing is sent for it.
    mutating func shape(_ chunk: JSON) -> JSON? {
        switch conversion {
        case .none: return shapeChat(chunk)
        case .chatToText: return shapeChat(chunk).map(TextCompletion.chunk)
        case .textToChat: return shapeChat(TextCompletion.chatChunk(chunk))
        }
    }

    mutating func shapeChat(_ chunk: JSON) -> JSON? {
        guard case .object(var object) = chunk else { return chunk }
        let usage = object["usage"].flatMap { $0.isNull ? nil : $0 }
        let choices = object["choices"]?.arrayValue
        if !clientWantsUsage, object["usage"] != nil {
            if usage != nil, choices?.isEmpty ?? true { return nil }
            object.removeValue(forKey: "usage")
        }
        if let model = object["model"]?.stringValue, !model.isEmpty {
            object["model"] = .string(ResponseShaper.responseModel(model, deployment: deployment))
        }
        guard shape == .litellm, let choices else { return .object(object) }
        if choices.isEmpty {
            if usage != nil { return .object(object) }
            if let filters = object["prompt_filter_results"], !filters.isNull { pendingPromptFilters.append(filters) }
            return nil
        }
        object["choices"] = .array(choices.map(StreamShaper.withDelta))
        for key in ["id", "model", "object"] {
            if let value = object[key]?.stringValue, !value.isEmpty {
                identity[key] = .string(value)
            } else if let known = identity[key] {
                object[key] = known
            }
        }
        if !pendingPromptFilters.isEmpty {
            let held = pendingPromptFilters.flatMap { $0.arrayValue ?? [$0] }
            let own = object["prompt_filter_results"]?.arrayValue ?? []
            object["prompt_filter_results"] = .array(held + own)
            pendingPromptFilters = []
        }
        return .object(object)
    }

    /// A choice that has no `delta` (Azure's filter annotations) gets an empty one, so `choice.delta.content` reads.
    static func withDelta(_ choice: JSON) -> JSON {
        guard case .object(var object) = choice, object["delta"] == nil || object["delta"]?.isNull == true else {
            return choice
        }
        object["delta"] = .object(JSONObject())
        return .object(object)
    }
}
