import Foundation
import NIOCore
import Wire

/// What the gateway knows about a request when it ends: the facts its spend row, its key's spend and limits, the
/// router's latency and the metrics are made from.
public struct RequestFacts: Sendable {
    public var callID: String
    public var operation: ProxyOperation
    public var caller: Caller
    public var deployment: ModelDeployment
    public var request: JSONObject
    public var startedAt: Date
    public var firstByteAt: Date?
    public var clientIP: String?
    /// The client's `user-agent` (a metric label, as LiteLLM's).
    public var userAgent: String?
    /// Azure's `x-ratelimit-remaining-requests` / `-tokens` on the answer: the deployment's remaining-quota gauges.
    public var remainingRequests: Double?
    public var remainingTokens: Double?
    /// The shaped answer (or the assembled stream), nil on failure and when the answer was shaped from its bytes
    /// (then `responseBody` holds it: `answer` reads either).
    public var response: JSON?
    /// The answer as the client got it (compact JSON text), when the engine has the bytes: the row takes them
    /// instead of serializing the answer a second time. When `response` is set too, they are its serialized bytes.
    public var responseBody: ByteBuffer?
    /// The `id` of `responseBody`, when the shaper read it on the way.
    public var responseID: String?
    public var usage: JSON?
    public var upstreamModel: String?
    public var error: ProxyError?
    /// When the answering attempt started (nil once the router has accounted for a failed attempt).
    public var attemptStartedAt: Date?
    /// Seconds the proxy added to an answered call (its total time minus the upstream's), when measured.
    public var overhead: Double?
    /// Seconds from the request's arrival to its authentication done.
    public var queueTime: Double?
    /// The model name the request was routed on (a configured group or alias, never the raw body value, which
    /// on `/openai/deployments/{model}/…` is free text): a bounded metric label.
    public var requestedModel: String?
    /// How a stream ended (`StreamRelay.Summary.outcome`); nil for plain answers.
    public var streamOutcome: String?
    /// `usage` is the proxy's estimate: the stream ended before the upstream's usage frame.
    public var usageEstimated = false
    /// Retries and fallbacks the router made for this request.
    public var retries = 0
    public var fallbacks = 0
    /// The request's tags (`request_tags`).
    public var tags: [String] = []
    /// The cost when it is not a usage block's at token prices (images, audio): the gateway priced it.
    public var cost: Double?
    /// The response cache's part: nil without a cache for this request, else whether it answered, and its key.
    public var cacheHit: Bool?
    public var cacheKey: String?
    /// The guardrails that ran, in the order they ran.
    public var guardrails: [GuardrailRecord] = []
    /// `logging_only` guardrails' mask over the stored answer (applied when the row is made, off the request path).
    public var maskLogged: (@Sendable (JSON) -> JSON)?

    /// The answer as JSON: `response`, else `responseBody` parsed (when the spend row is made).
    public var answer: JSON? {
        response ?? responseBody.flatMap { body in try? JSON.parse(body.readableBytesView) }
    }

    /// The answer's `id` (the row's request_id), read from `responseBody` without parsing the rest.
    public var answerID: String? {
        if let response { return response["id"]?.stringValue }
        if let responseID { return responseID }
        guard let body = responseBody else { return nil }
        let bytes = Array(body.readableBytesView)
        guard let members = try? JSONSpans.members(bytes, in: bytes.indices),
            let id = members.first(where: { $0.key == "id" })
        else { return nil }
        return (try? JSONSpans.value(bytes, in: id.value))?.stringValue
    }
}
