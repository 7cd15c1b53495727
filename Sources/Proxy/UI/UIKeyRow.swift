import Foundation
import Wire

/// One virtual key as the Keys table shows it: `sk-...last4` and the hash, never the key.
struct UIKeyRow {
    var token: String
    var alias: String
    var keyName: String
    var spend: String
    var budget: String
    var budgetDuration: String
    var limits: String
    var models: String
    var expires: String
    var expired: Bool
    var blocked: Bool
    var created: String

    init(_ key: VirtualKey, now: Date = Date()) {
        token = key.token
        alias = key.keyAlias ?? ""
        keyName = key.keyName
        spend = UIFormat.dollars(key.spend)
        budget = key.maxBudget.map(UIFormat.dollars) ?? "no limit"
        budgetDuration = key.budgetDuration.map { "resets every \($0)" } ?? ""
        let limits = [
            key.tpmLimit.map { "\(UIFormat.count($0)) TPM" }, key.rpmLimit.map { "\(UIFormat.count($0)) RPM" },
            key.maxParallelRequests.map { "\($0) parallel" },
        ].compactMap { $0 }
        self.limits = limits.isEmpty ? "–" : limits.joined(separator: " · ")
        models = key.models.isEmpty ? "all" : key.models.joined(separator: ", ")
        expires = key.expires.map { UIFormat.time($0) + " UTC" } ?? "never"
        expired = key.expires.map { $0 < now } ?? false
        blocked = key.blocked
        created = UIFormat.time(key.createdAt)
    }

    /// The `/key/generate` body for the create form's fields (blank fields left out).
    static func generateBody(_ form: UIForm) throws -> JSONObject {
        var body = JSONObject()
        if let alias = form["key_alias"] { body["key_alias"] = .string(alias) }
        let models = form.all("models").filter { !$0.isEmpty }
        if !models.isEmpty { body["models"] = .array(models.map(JSON.string)) }
        for (field, integer) in [
            ("max_budget", false), ("tpm_limit", true), ("rpm_limit", true), ("max_parallel_requests", true),
        ] {
            guard let text = form[field] else { continue }
            guard let number = Double(text), number >= 0, number <= 1e15 else {
                throw UIFailure(status: 400, message: "\(field) must be a number ≥ 0.")
            }
            body[field] = integer ? .int(Int(number)) : .double(number)
        }
        for field in ["budget_duration", "duration"] {
            if let text = form[field] { body[field] = .string(text) }
        }
        return body
    }
}
