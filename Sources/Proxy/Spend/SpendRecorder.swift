import Foundation
import NIOCore
import Wire

/// Turns a finished request into a spend row and hands it to the writer. Applies the logging settings:
/// `store_prompts_in_spend_logs` / `turn_off_message_logging` (bodies or not), string truncation, and
/// `disable_spend_logs`.
public struct SpendRecorder: Sendable {
    public let writer: SpendWriter
    public var storePrompts: Bool
    public var disabled: Bool
    public var maximumStringLength: Int
    let prices: PriceTable
    /// Credentials a client may have typed into a body, masked before it is stored.
    let mask: SecretMask

    /// `secrets`: the proxy's own credentials (master key, deployment api keys…), masked wherever a body holds them.
    public init(
        writer: SpendWriter,
        settings: ProxySettings,
        prices: PriceTable = .shipped,
        secrets: [String] = []
    ) {
        self.writer = writer
        self.prices = prices
        self.mask = SecretMask(secrets: secrets + [settings.masterKey].compactMap { $0 })
        self.storePrompts = settings.spend.storePrompts
        self.disabled = settings.spend.disabled
        self.maximumStringLength = settings.spend.maximumStringLength
    }

    /// Queues the row (unless spend logs are disabled; it is built later, off the request path) and adds the
    /// request's spend to its key. Returns the spend and total tokens.
    @discardableResult
    public func record(_ finished: RequestFacts) -> (spend: Double, tokens: Int) {
        let now = Date()
        let usage = finished.usage ?? [:]
        let price = prices.price(for: finished.deployment, upstreamModel: finished.upstreamModel)
        let spend = finished.cost ?? price.map { PriceTable.cost(usage: usage, price: $0) } ?? 0
        let tokens = usage["total_tokens"]?.tokenCount ?? 0
        // A key's spend is added with its row (in the same statement), so it survives exactly as the row does; with
        // spend logs off there is no row and it goes on its own.
        if disabled, case .virtualKey(let token, _, _) = finished.caller.kind {
            writer.addKeySpend(token: token, amount: spend)
        }
        if !disabled {
            // Encoded off the request path: by the journal's group commit, or when the row is written.
            let recorder = self
            writer.enqueue(
                SpendWriter.Pending(encoding: { recorder.encodedRow(finished, end: now, price: price, spend: spend) })
            )
        }
        return (spend, tokens)
    }

    /// The spend row of a finished request, its bodies as they are (`encodedRow` truncates them as it serializes).
    /// `answerText`: the response column's text comes with the row; the answer's JSON is not needed for it (nor
    /// when prompts are not stored: the id is read without parsing the rest).
    func row(_ finished: RequestFacts, end now: Date, price: PriceTable.Price?, spend: Double, answerText: Bool = false)
        -> SpendRow
    {
        var answer = answerText || !storePrompts ? finished.response : finished.answer
        if storePrompts, let mask = finished.maskLogged { answer = answer.map(mask) }
        let usage = finished.usage ?? [:]
        let prompt = usage["prompt_tokens"]?.tokenCount ?? 0
        let completion = usage["completion_tokens"]?.tokenCount ?? 0
        var metadata: JSONObject = [
            "user_api_key_hash": .string(finished.caller.keyHash),
            "attempted_retries": .int(finished.retries),
            "attempted_fallbacks": .int(finished.fallbacks),
        ]
        if case .virtualKey(_, let alias, _) = finished.caller.kind, let alias {
            metadata["user_api_key_alias"] = .string(alias)
        }
        if finished.caller.dbUnavailableFallback {
            // Let through unchecked (allow_requests_on_db_unavailable): LiteLLM's fallback identity, and a flag.
            metadata["db_unavailable_fallback"] = true
            metadata["user_api_key_user_id"] = "__db_unavailable_fallback__"
        }
        if finished.usage != nil { metadata["usage_object"] = usage }
        if let outcome = finished.streamOutcome, outcome != "completed" {
            metadata["stream_outcome"] = .string(outcome)
        }
        if finished.usageEstimated { metadata["usage_estimated"] = true }
        if !finished.guardrails.isEmpty {
            metadata["guardrail_information"] = .array(finished.guardrails.map(\.json))
            metadata["applied_guardrails"] = .array(GuardrailRecord.applied(finished.guardrails).map(JSON.string))
        }
        if price == nil, finished.cost == nil, finished.error == nil { metadata["cost_unknown"] = true }
        if let error = finished.error {
            metadata["error_information"] = [
                "error_class": .string(error.error.type ?? "error"), "error_code": .string(String(error.status)),
                "error_message": .string(String(error.error.message.prefix(maximumStringLength))),
            ]
        } else if finished.streamOutcome == "client_disconnected" {
            // LiteLLM's record of a stream the client left: a success (what was delivered is billed) with this note.
            metadata["error_information"] = [
                "error_class": "ClientDisconnected", "error_code": "499",
                "error_message": "Client disconnected the request",
            ]
        }
        // The key's owner is the row's `user`; the body's `user` (anyone's choice) is only the `end_user`.
        let endUser = finished.request["user"]?.stringValue
        if let owner = finished.caller.userID, metadata["user_api_key_user_id"] == nil {
            metadata["user_api_key_user_id"] = .string(owner)
        }
        if let team = finished.caller.teamID, metadata["user_api_key_team_id"] == nil {
            metadata["user_api_key_team_id"] = .string(team)
        }
        var requestID =
            (answer?["id"]?.stringValue ?? finished.answerID).flatMap { $0.isEmpty ? nil : $0 } ?? finished.callID
        // A hit repeats the stored answer's id: LiteLLM's row id for it says so; the call id keeps hits that end in
        // the same instant (a fan-out, replicas) apart, as the row's primary key must.
        if finished.cacheHit == true {
            requestID += "_cache_hit" + String(now.timeIntervalSince1970) + "_" + finished.callID
        }
        let row = SpendRow(
            requestID: requestID,
            callType: finished.operation.callType,
            apiKey: finished.caller.keyHash,
            spend: spend,
            totalTokens: usage["total_tokens"]?.tokenCount ?? prompt + completion,
            promptTokens: prompt,
            completionTokens: completion,
            startTime: finished.startedAt,
            endTime: now,
            completionStartTime: finished.firstByteAt ?? (finished.error == nil ? now : nil),
            requestDurationMs: Int((now.timeIntervalSince(finished.startedAt) * 1000).rounded()),
            model: finished.deployment.model,
            modelID: finished.deployment.id,
            modelGroup: finished.deployment.modelName,
            customLLMProvider: finished.deployment.provider.rawValue,
            apiBase: finished.deployment.publicAPIBase ?? "",
            user: finished.caller.userID ?? "",
            metadata: .object(metadata),
            endUser: endUser,
            requesterIPAddress: finished.clientIP,
            // LiteLLM 1.110.2 writes `{}` here for every call but realtime ones: the prompt is stored once, in
            // proxy_server_request.
            messages: [:],
            response: storePrompts ? answer ?? (finished.error.map { $0.error.json } ?? [:]) : [:],
            sessionID: finished.request["litellm_session_id"]?.stringValue,
            status: finished.error == nil ? "success" : "failure",
            proxyServerRequest: storePrompts ? .object(finished.request) : [:],
            litellmCallID: finished.callID,
            teamID: finished.caller.teamID,
            requestTags: finished.tags,
            cacheHit: finished.cacheHit == true ? "True" : "False",
            cacheKey: finished.cacheKey ?? "Cache OFF"
        )
        return row
    }

    /// Long strings cut to `maximumStringLength` characters (LiteLLM's 2048 by default), recursively; so are long
    /// arrays of numbers (an embedding's 1,536 floats, a prompt of token ids): the leading numbers whose JSON text fits
    /// in `maximumStringLength` characters are kept, then one string says how many were cut.
    func truncated(_ value: JSON) -> JSON {
        switch value {
        case .string(let text) where text.count > maximumStringLength:
            return .string(
                String(text.prefix(maximumStringLength)) + "…(truncated \(text.count - maximumStringLength) chars)"
            )
        case .number(let text) where text.utf8.count > maximumStringLength:
            // A 100,000-digit number is as long as a string: kept as the string it would be cut to.
            return .string(
                String(text.prefix(maximumStringLength))
                    + "…(truncated \(text.utf8.count - maximumStringLength) digits)"
            )
        case .array(let items)
        where !items.isEmpty && items.allSatisfy({ if case .number = $0 { true } else { false } }):
            // Each number's text plus its comma; O(items) with no allocation, and only long arrays are copied.
            var length = 0
            for (index, item) in items.enumerated() {
                guard case .number(let text) = item else { break }
                length += text.utf8.count + 1
                if length > maximumStringLength + 1 {
                    return .array(
                        Array(items[..<index]) + [
                            .string("…(truncated \(items.count - index) of \(items.count) numbers)")
                        ]
                    )
                }
            }
            return value
        case .array(let items): return .array(items.map(truncated))
        case .object(let object): return .object(object.mapValues(truncated))
        default: return value
        }
    }
}
