import Foundation
import Wire

/// A request's own controls, with LiteLLM's names and precedence: timeouts (`x-litellm-timeout` /
/// `x-litellm-stream-timeout` headers over the body's `timeout`, `request_timeout`, `stream_timeout`), retries
/// (`x-litellm-num-retries` over `num_retries`), `fallbacks`, and LiteLLM's testing parameters, refused with its 400
/// unless `general_settings.dangerously_allow_mock_testing_request_params` is true.
struct RequestControls: Sendable {
    /// Seconds, and how the client wrote them (`x-litellm-timeout` echoes LiteLLM's `str()` of the value).
    struct Seconds: Sendable {
        var value: Double
        var text: String
    }

    var timeout: Seconds?
    var streamTimeout: Seconds?
    /// At most `Gateway.maximumRequestedRetries` (the config's own settings are not capped).
    var retries: Int?
    /// Model groups tried after the request's own fails, replacing the config's fallbacks for this request.
    var fallbacks: [String]?
    var mockFailures: Set<MockFailure> = []
    /// `mock_delay`: seconds to wait before the upstream call.
    var mockDelay: Double?

    static let mockDelayKey = "mock_delay"
    /// A request's own seconds beyond a day are a day: every wait becomes a clock duration, which must not overflow.
    static let maximumSeconds = 86_400.0

    /// `mock_testing_*fallbacks`: the failure the request's own group gives before any upstream call.
    func primaryFailure(group: String) -> ProxyError? {
        [MockFailure.fallbacks, .contextFallbacks, .contentPolicyFallbacks].first { mockFailures.contains($0) }.map {
            .mockFailure($0, model: group, fallbacks: fallbacks)
        }
    }

    init(_ call: ProxyCall, body: JSONObject, model: String, allowMocks: Bool) throws(ProxyError) {
        timeout =
            try Self.seconds(header: call.header("x-litellm-timeout"), "x-litellm-timeout")
            ?? Self.seconds(body["timeout"]) ?? Self.seconds(body["request_timeout"])
        streamTimeout =
            try Self.seconds(header: call.header("x-litellm-stream-timeout"), "x-litellm-stream-timeout")
            ?? Self.seconds(body["stream_timeout"])
        let headerRetries = try call.header("x-litellm-num-retries").map { text throws(ProxyError) in
            guard let count = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw .wrongType("x-litellm-num-retries", expected: "a whole number")
            }
            return count
        }
        retries = (headerRetries ?? body["num_retries"]?.intValue).map {
            min(max($0, 0), Gateway.maximumRequestedRetries)
        }
        fallbacks = Self.fallbacks(body["fallbacks"], for: model)
        let present =
            MockFailure.allCases.map(\.rawValue).filter { body[$0] != nil }
            + (body[Self.mockDelayKey] != nil ? [Self.mockDelayKey] : [])
        guard present.isEmpty || allowMocks else { throw .mockTestingDisabled(present) }
        mockFailures = Set(MockFailure.allCases.filter { body[$0.rawValue].map(LiteLLMFlag.truthy) ?? false })
        mockDelay = Self.seconds(body[Self.mockDelayKey])?.value
    }

    static func seconds(header: String?, _ name: String) throws(ProxyError) -> Seconds? {
        guard let header else { return nil }
        guard let value = Double(header.trimmingCharacters(in: .whitespaces)), value.isFinite, value >= 0 else {
            throw .wrongType(name, expected: "a number of seconds")
        }
        // LiteLLM turns the header into a float: `1` reads back as `1.0`.
        return value > 0 ? Seconds(value: min(value, maximumSeconds), text: NumberText.pythonFloat(value)) : nil
    }

    /// A number or numeric string of seconds; 0 means unset, as LiteLLM's `or` chain reads it.
    static func seconds(_ value: JSON?) -> Seconds? {
        switch value {
        case .number(let text)?:
            guard let seconds = Double(text), seconds > 0, seconds.isFinite else { return nil }
            return Seconds(value: min(seconds, maximumSeconds), text: text)
        case .string(let text)?:
            guard let seconds = Double(text), seconds > 0, seconds.isFinite else { return nil }
            return Seconds(value: min(seconds, maximumSeconds), text: NumberText.pythonFloat(seconds))
        default: return nil
        }
    }

    /// LiteLLM's three shapes: `["gpt-4o"]`, `[{"o4-mini": ["gpt-4o"]}]` (the list for this model), and
    /// `[{"model": "gpt-4o", …}]` (the model; the other overrides are not applied here).
    static func fallbacks(_ value: JSON?, for model: String) -> [String]? {
        guard let items = value?.arrayValue else { return nil }
        var groups: [String] = []
        for item in items {
            if let name = item.stringValue {
                groups.append(name)
            } else if let name = item["model"]?.stringValue {
                groups.append(name)
            } else if let list = item[model]?.arrayValue {
                groups += list.compactMap(\.stringValue)
            }
        }
        return groups
    }
}
