import Foundation
import Wire

/// The log detail page: the row's metadata, its request and response pretty-printed, and the error of a failure.
struct UILogDetail {
    struct Field {
        var label: String
        var value: String
    }

    struct Failure {
        var errorClass: String
        var code: String?
        var message: String
    }

    var row: UILogRow
    var fields: [Field]
    var request: String
    var response: String
    var metadata: String
    var error: Failure?
    var bodiesStored: Bool

    init(_ row: SpendRow, masterKey: String?) {
        let masterKeyHash = masterKey.map(SecretHash.sha256Hex)
        self.row = UILogRow(row, masterKeyHash: masterKeyHash)
        fields = [
            ("Request ID", row.requestID), ("Call ID", row.litellmCallID), ("Status", row.status),
            ("Call type", row.callType),
            ("Start", UIFormat.time(row.startTime) + " UTC"), ("End", UIFormat.time(row.endTime) + " UTC"),
            ("First token", row.completionStartTime.map { UIFormat.time($0) + " UTC" } ?? "–"),
            ("Duration", UIFormat.milliseconds(row.requestDurationMs)),
            ("Time to first token", UIFormat.milliseconds(UILogRow.timeToFirstToken(row))),
            ("Model", row.model), ("Model group", row.modelGroup), ("Model ID", row.modelID),
            ("Provider", row.customLLMProvider),
            ("API base", row.apiBase), ("Key", self.row.key), ("Key hash", row.apiKey.isEmpty ? "–" : row.apiKey),
            ("User", row.user.isEmpty ? "–" : row.user), ("End user", row.endUser ?? "–"),
            ("Requester IP", row.requesterIPAddress ?? "–"),
            (
                "Tokens (prompt / completion / reasoning / total)",
                "\(row.promptTokens) / \(row.completionTokens) / \(self.row.reasoningTokens) / \(row.totalTokens)"
            ),
            ("Cost", UIFormat.cost(row.spend)),
            ("Response cache", Self.cacheLabel(row)),
            ("Guardrails", Self.guardrailsLabel(row)),
        ].map { Field(label: $0.0, value: UIFormat.redactText($0.1, masterKey: masterKey)) }
        let request = row.proxyServerRequest.objectValue?.isEmpty == false ? row.proxyServerRequest : row.messages
        self.request = UIFormat.json(request, masterKey: masterKey)
        response = UIFormat.json(row.response, masterKey: masterKey)
        metadata = UIFormat.json(row.metadata, masterKey: masterKey)
        bodiesStored = !(request.objectValue?.isEmpty ?? false) || !(row.response.objectValue?.isEmpty ?? false)
        if row.status != "success" {
            let info = row.metadata["error_information"]
            error = Failure(
                errorClass: info?["error_class"]?.stringValue ?? "error",
                code: info?["error_code"]?.stringValue,
                message: UIFormat.redactText(
                    info?["error_message"]?.stringValue ?? "(no message recorded)",
                    masterKey: masterKey
                )
            )
        }
    }

    /// `hit` or `miss` with the entry's key, `off` without a cache.
    static func cacheLabel(_ row: SpendRow) -> String {
        if row.cacheKey.isEmpty || row.cacheKey == "Cache OFF" { return "off" }
        return (row.cacheHit == "True" ? "hit" : "miss") + " (key " + row.cacheKey + ")"
    }

    /// Each guardrail that ran: `name (mode): status`, with what it masked (`pii (pre_call): success, masked
    /// email ×1`); `–` when none ran.
    static func guardrailsLabel(_ row: SpendRow) -> String {
        let records = row.metadata["guardrail_information"]?.arrayValue ?? []
        guard !records.isEmpty else { return "–" }
        return records.map { record in
            var text =
                (record["guardrail_name"]?.stringValue ?? "?") + " (" + (record["guardrail_mode"]?.stringValue ?? "?")
                + "): " + (record["guardrail_status"]?.stringValue ?? "?")
            let masked = record["masked_entity_count"]?.objectValue ?? JSONObject()
            if !masked.isEmpty {
                text += ", masked " + masked.map { "\($0.key) ×\($0.value.intValue ?? 0)" }.joined(separator: ", ")
            }
            return text
        }.joined(separator: "; ")
    }
}
