import Foundation
import Wire

/// One row of "LiteLLM_SpendLogs": what a request cost and, by default, what it asked and answered.
/// Never holds a key: `apiKey` is the sha256 hex of the caller's key.
public struct SpendRow: Sendable, Equatable {
    public var requestID: String
    public var callType: String
    public var apiKey: String
    public var spend: Double
    public var totalTokens: Int
    public var promptTokens: Int
    public var completionTokens: Int
    public var startTime: Date
    public var endTime: Date
    public var completionStartTime: Date?
    public var requestDurationMs: Int
    public var model: String
    public var modelID: String
    public var modelGroup: String
    public var customLLMProvider: String
    public var apiBase: String
    public var user: String
    public var metadata: JSON
    public var endUser: String?
    public var requesterIPAddress: String?
    public var messages: JSON
    public var response: JSON
    public var sessionID: String?
    public var status: String
    public var proxyServerRequest: JSON
    public var litellmCallID: String
    /// The key's team (LiteLLM's `team_id` column).
    public var teamID: String?
    /// The request's tags (`metadata.tags` and the `x-litellm-tags` header): `request_tags`.
    public var requestTags: [String]
    /// `cache_hit` ("True" for an answer from the response cache, as LiteLLM's `str()` writes it) and `cache_key`
    /// (the entry's key; "Cache OFF" without a cache).
    public var cacheHit: String
    public var cacheKey: String

    /// The row as `/spend/logs` returns it (LiteLLM's column names; times as ISO 8601).
    public var json: JSON {
        [
            "request_id": .string(requestID),
            "call_type": .string(callType),
            "api_key": .string(apiKey),
            "spend": .double(spend),
            "total_tokens": .int(totalTokens),
            "prompt_tokens": .int(promptTokens),
            "completion_tokens": .int(completionTokens),
            "startTime": .string(TimestampText.format(startTime)),
            "endTime": .string(TimestampText.format(endTime)),
            "completionStartTime": completionStartTime.map { .string(TimestampText.format($0)) } ?? nil,
            "request_duration_ms": .int(requestDurationMs),
            "model": .string(model),
            "model_id": .string(modelID),
            "model_group": .string(modelGroup),
            "custom_llm_provider": .string(customLLMProvider),
            "api_base": .string(apiBase),
            "user": .string(user),
            "metadata": metadata,
            "end_user": endUser.map(JSON.string) ?? nil,
            "requester_ip_address": requesterIPAddress.map(JSON.string) ?? nil,
            "messages": messages,
            "response": response,
            "session_id": sessionID.map(JSON.string) ?? nil,
            "status": .string(status),
            "proxy_server_request": proxyServerRequest,
            "litellm_call_id": .string(litellmCallID),
            "team_id": teamID.map(JSON.string) ?? nil,
            "request_tags": .array(requestTags.map(JSON.string)),
            "cache_hit": .string(cacheHit),
            "cache_key": .string(cacheKey),
        ]
    }

    /// Reads a row back from its JSON form (the spill file).
    public init?(json: JSON) {
        guard let requestID = json["request_id"]?.stringValue,
            let start = json["startTime"]?.stringValue.flatMap(TimestampText.parse),
            let end = json["endTime"]?.stringValue.flatMap(TimestampText.parse)
        else { return nil }
        self.init(
            requestID: requestID,
            callType: json["call_type"]?.stringValue ?? "",
            apiKey: json["api_key"]?.stringValue ?? "",
            spend: json["spend"]?.doubleValue ?? 0,
            totalTokens: json["total_tokens"]?.intValue ?? 0,
            promptTokens: json["prompt_tokens"]?.intValue ?? 0,
            completionTokens: json["completion_tokens"]?.intValue ?? 0,
            startTime: start,
            endTime: end,
            completionStartTime: json["completionStartTime"]?.stringValue.flatMap(TimestampText.parse),
            requestDurationMs: json["request_duration_ms"]?.intValue ?? 0,
            model: json["model"]?.stringValue ?? "",
            modelID: json["model_id"]?.stringValue ?? "",
            modelGroup: json["model_group"]?.stringValue ?? "",
            customLLMProvider: json["custom_llm_provider"]?.stringValue ?? "",
            apiBase: json["api_base"]?.stringValue ?? "",
            user: json["user"]?.stringValue ?? "",
            metadata: json["metadata"] ?? [:],
            endUser: json["end_user"]?.stringValue,
            requesterIPAddress: json["requester_ip_address"]?.stringValue,
            messages: json["messages"] ?? [:],
            response: json["response"] ?? [:],
            sessionID: json["session_id"]?.stringValue,
            status: json["status"]?.stringValue ?? "",
            proxyServerRequest: json["proxy_server_request"] ?? [:],
            litellmCallID: json["litellm_call_id"]?.stringValue ?? "",
            teamID: json["team_id"]?.stringValue,
            requestTags: json["request_tags"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            cacheHit: json["cache_hit"]?.stringValue ?? "",
            cacheKey: json["cache_key"]?.stringValue ?? ""
        )
    }

    public init(
        requestID: String,
        callType: String,
        apiKey: String,
        spend: Double,
        totalTokens: Int,
        promptTokens: Int,
        completionTokens: Int,
        startTime: Date,
        endTime: Date,
        completionStartTime: Date?,
        requestDurationMs: Int,
        model: String,
        modelID: String,
        modelGroup: String,
        customLLMProvider: String,
        apiBase: String,
        user: String,
        metadata: JSON,
        endUser: String?,
        requesterIPAddress: String?,
        messages: JSON,
        response: JSON,
        sessionID: String?,
        status: String,
        proxyServerRequest: JSON,
        litellmCallID: String,
        teamID: String? = nil,
        requestTags: [String] = [],
        cacheHit: String = "",
        cacheKey: String = ""
    ) {
        self.requestID = requestID
        self.callType = callType
        self.apiKey = apiKey
        self.spend = spend
        self.totalTokens = totalTokens
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.startTime = startTime
        self.endTime = endTime
        self.completionStartTime = completionStartTime
        self.requestDurationMs = requestDurationMs
        self.model = model
        self.modelID = modelID
        self.modelGroup = modelGroup
        self.customLLMProvider = customLLMProvider
        self.apiBase = apiBase
        self.user = user
        self.metadata = metadata
        self.endUser = endUser
        self.requesterIPAddress = requesterIPAddress
        self.messages = messages
        self.response = response
        self.sessionID = sessionID
        self.status = status
        self.proxyServerRequest = proxyServerRequest
        self.litellmCallID = litellmCallID
        self.teamID = teamID
        self.requestTags = requestTags
        self.cacheHit = cacheHit
        self.cacheKey = cacheKey
    }
}

extension SpendRow {
    /// A row from its columns as text, the form both stores read back.
    init?(columns: [String: String]) {
        var json = JSONObject()
        for (column, text) in columns {
            switch column {
            case "metadata", "messages", "response", "proxy_server_request", "request_tags":
                json[column] = (try? JSON.parse(text)) ?? [:]
            case "spend": json[column] = .number(text)
            case "total_tokens", "prompt_tokens", "completion_tokens", "request_duration_ms":
                json[column] = .number(text)
            default: json[column] = .string(text)
            }
        }
        self.init(json: .object(json))
    }
}
