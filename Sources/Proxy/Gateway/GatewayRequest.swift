import Foundation
import Logging
import NIOCore
import Wire

/// A proxied request once it is known to be well formed: its body parsed, its model named, the fields its
/// operation needs present. Only what the gateway routes on is decoded; the rest of the body goes on as it came.
struct GatewayRequest: Sendable {
    var call: ProxyCall
    var body: JSONObject
    var model: String
    var caller: Caller
    var callID: String
    var baseHeaders: [(String, String)]
    var isStream: Bool
    var clientWantsUsage: Bool
    /// Its own timeouts, retries, fallbacks and testing parameters.
    var controls: RequestControls
    /// LiteLLM's frames, or Azure's when the config or the request's `x-stream-shape` asks for them.
    var streamShape: StreamShape
    /// Its tags, its key's and its team's: what tag-based routing reads.
    var routingTags: RoutingTags
    /// Those and the user-agent and header tags LiteLLM adds: `request_tags` in its spend row.
    var tags: [String]
    var logger: Logger
    /// What the response cache does for it (set once its model group is known), nil without one.
    var cache: CachePlan?
    /// The guardrails it runs, what they did before the call, and its `during_call` ones under way.
    var guardrails: [GuardrailSettings] = []
    var guardrailRecords: [GuardrailRecord] = []
    var duringCall: GuardrailGate?
    /// The body as logged when a `logging_only` guardrail masked it (the upstream gets `body`).
    var loggedBody: JSONObject?
    /// And the answer as logged (`logging_only`).
    var maskLogged: (@Sendable (JSON) -> JSON)?
    /// Its spans, when tracing is on.
    var trace: RequestTrace?
    /// Seconds from its arrival to its authentication done (LiteLLM's queue time).
    var queueTime: Double?

    init(
        _ call: ProxyCall,
        caller: Caller,
        callID: String,
        baseHeaders: [(String, String)],
        settings: ProxySettings,
        logger: Logger
    ) throws(ProxyError) {
        if call.bodyTooLarge { throw .bodyTooLarge(limit: settings.maximumRequestBodySize) }
        let body: JSONObject
        do {
            switch try JSON.parse(call.body.readableBytesView) {
            case .object(let object): body = object
            case let other: throw ProxyError.invalidJSON("expected a JSON object, found \(other.kindName)")
            }
        } catch let error as JSONParseError {
            throw .invalidJSON(error.description)
        } catch {
            throw error as! ProxyError
        }
        if let pathModel = call.pathModel {
            model = pathModel
        } else {
            switch body["model"] {
            case .string(let name)?: model = name
            case nil, .null?: throw .missing("model")
            default: throw .wrongType("model", expected: "a string")
            }
        }
        switch call.operation {
        case .chatCompletions:
            guard let messages = body["messages"], !messages.isNull else { throw .missing("messages") }
            guard case .array = messages else { throw .wrongType("messages", expected: "an array") }
        case .completions:
            guard body["prompt"] != nil else { throw .missing("prompt") }
        case .embeddings:
            guard body["input"] != nil else { throw .missing("input") }
        default:
            break  // the Responses API: Azure checks its own fields
        }
        if let stream = body["stream"], !stream.isNull, stream.boolValue == nil {
            throw .wrongType("stream", expected: "a boolean")
        }
        self.call = call
        self.body = body
        self.caller = caller
        self.callID = callID
        self.baseHeaders = baseHeaders
        self.isStream = body["stream"]?.boolValue == true && call.operation != .embeddings
        self.clientWantsUsage = body["stream_options"]?["include_usage"]?.boolValue == true
        self.controls = try RequestControls(
            call,
            body: body,
            model: model,
            allowMocks: settings.allowMockTestingParams
        )
        self.streamShape =
            call.header(StreamShape.header).flatMap { StreamShape(rawValue: $0.lowercased()) }
            ?? settings.streamShape
        let own = Self.tags(body, header: call.header("x-litellm-tags"))
        let userAgent = call.header("user-agent")
        self.routingTags = RoutingTags(
            tags: Self.merged(own, caller.policyTags),
            inherited: caller.policyTags,
            userAgent: userAgent
        )
        self.tags = routingTags.tags + Self.headerTags(userAgent: userAgent, call: call, settings: settings.spend)
        self.logger = logger
    }

    /// LiteLLM's request tags: `metadata.tags` in the body, the comma-separated `x-litellm-tags` header (merged
    /// before the key check), then the body's own `tags` list, each once.
    static func tags(_ body: JSONObject, header: String?) -> [String] {
        let listed = body["metadata"]?["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let sent = header?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        return merged(merged(listed, sent), body["tags"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }

    /// `first`, then what `added` has that it lacks, without empty tags.
    static func merged(_ first: [String], _ added: [String]) -> [String] {
        var seen = Set<String>()
        return (first + added).filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// The tags LiteLLM's spend log adds: `User-Agent: <product>` and `User-Agent: <full>` (unless turned off),
    /// then `Name: value` for each of `extra_spend_tag_headers` the request has.
    static func headerTags(userAgent: String?, call: ProxyCall, settings: SpendSettings) -> [String] {
        var tags: [String] = []
        if settings.userAgentTags, let userAgent {
            if let slash = userAgent.firstIndex(of: "/") { tags.append("User-Agent: " + userAgent[..<slash]) }
            tags.append("User-Agent: " + userAgent)
        }
        for name in settings.tagHeaders {
            if let value = call.header(name.lowercased()), !value.isEmpty { tags.append("\(name): \(value)") }
        }
        return tags
    }

    /// Request keys that carry credentials: never stored in a spend row (the upstream call drops them too).
    static let credentialKeys: Set<String> = [
        "api_key", "azure_ad_token", "client_secret", "secret_fields", "aws_secret_access_key", "vertex_credentials",
    ]

    /// The facts of an attempt as it starts: the request without credentials a client may have put in it.
    func facts(on deployment: ModelDeployment, counts: AttemptCounts) -> RequestFacts {
        var body = loggedBody ?? body
        for key in Self.credentialKeys where body[key] != nil { body[key] = "***" }
        var facts = RequestFacts(callID: callID, call: call, caller: caller, deployment: deployment, request: body)
        facts.attemptStartedAt = Date()
        facts.requestedModel = model
        facts.tags = tags
        facts.retries = counts.retries
        facts.fallbacks = counts.fallbacks
        facts.guardrails = guardrailRecords
        facts.maskLogged = maskLogged
        facts.queueTime = queueTime
        if let cache {
            facts.cacheHit = false
            facts.cacheKey = cache.key
        }
        return facts
    }
}
