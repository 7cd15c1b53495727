import Foundation
import Wire

/// What one guardrail did for a request, as LiteLLM logs it (`metadata.guardrail_information` in the spend row,
/// an entry of its StandardLoggingGuardrailInformation list): never the text it looked at, only its verdict.
public struct GuardrailRecord: Sendable, Equatable {
    public enum Status: String, Sendable {
        case success
        case intervened = "guardrail_intervened"
        case failed = "guardrail_failed_to_respond"
    }

    public var name: String
    /// `litellm_params.guardrail` (azure/prompt_shield, …).
    public var provider: String
    /// The hook it ran in (pre_call, during_call, post_call, logging_only).
    public var mode: String
    public var status: Status
    /// The service's verdict or the filter's detections (pattern names, categories and severities; no text).
    public var response: JSON
    public var started: Date
    public var ended: Date
    /// Entities masked, by pattern name.
    public var maskedEntities: [String: Int] = [:]

    public init(
        name: String,
        provider: String,
        mode: String,
        status: Status,
        response: JSON,
        started: Date,
        ended: Date
    ) {
        self.name = name
        self.provider = provider
        self.mode = mode
        self.status = status
        self.response = response
        self.started = started
        self.ended = ended
    }

    public var json: JSON {
        var entry: JSONObject = [
            "guardrail_name": .string(name),
            "guardrail_provider": .string(provider),
            "guardrail_mode": .string(mode),
            "guardrail_status": .string(status.rawValue),
            "guardrail_response": response,
            "start_time": .number(NumberText.pythonFloat(started.timeIntervalSince1970)),
            "end_time": .number(NumberText.pythonFloat(ended.timeIntervalSince1970)),
            "duration": .number(NumberText.pythonFloat(ended.timeIntervalSince(started))),
        ]
        if !maskedEntities.isEmpty {
            entry["masked_entity_count"] = .object(
                JSONObject(maskedEntities.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })
            )
        }
        return .object(entry)
    }

    /// The spend row's `applied_guardrails`: each guardrail that ran, once, in the order they ran.
    public static func applied(_ records: [GuardrailRecord]) -> [String] {
        var seen = Set<String>()
        return records.map(\.name).filter { seen.insert($0).inserted }
    }
}
