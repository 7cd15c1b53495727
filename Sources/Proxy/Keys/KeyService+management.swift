import Foundation
import Wire

/// `/key/*`, with LiteLLM's request and response shapes. The full key is returned once, by generate and regenerate.
extension KeyService {
    static func badRequest(_ message: String, param: String) -> ProxyError {
        ProxyError(OpenAIError(status: 400, message: message, type: "bad_request_error", param: param))
    }

    /// The largest budget, spend or limit a key takes: far beyond any real one, and exact both as a Double and as an
    /// Int (1e300 trapped converting to Int; infinities broke the budget arithmetic).
    static let maximumNumber: Double = 1e15

    /// Applies the settable fields of a generate/update body to a key.
    static func apply(_ body: JSONObject, to key: inout VirtualKey) throws(ProxyError) {
        func number(_ name: String) throws(ProxyError) -> Double?? {
            guard let value = body[name] else { return .none }
            if value.isNull { return .some(nil) }
            guard let number = value.doubleValue, number >= 0, number <= maximumNumber else {
                throw badRequest("\(name) must be a number from 0 to 1e15", param: name)
            }
            return .some(number)
        }
        func integer(_ name: String) throws(ProxyError) -> Int?? {
            guard let value = try number(name) else { return .none }
            guard let value else { return .some(nil) }
            guard value == value.rounded() else { throw badRequest("\(name) must be a whole number", param: name) }
            return .some(Int(value))
        }
        func text(_ name: String) throws(ProxyError) -> String?? {
            guard let value = body[name] else { return .none }
            if value.isNull { return .some(nil) }
            guard let text = value.stringValue else { throw badRequest("\(name) must be a string", param: name) }
            return .some(text)
        }
        if let alias = try text("key_alias") { key.keyAlias = alias }
        if let user = try text("user_id") { key.userID = user }
        if let team = try text("team_id") { key.teamID = team }
        if let budget = try number("max_budget") { key.maxBudget = budget }
        if let tpm = try integer("tpm_limit") { key.tpmLimit = tpm }
        if let rpm = try integer("rpm_limit") { key.rpmLimit = rpm }
        if let parallel = try integer("max_parallel_requests") { key.maxParallelRequests = parallel }
        if let spend = try number("spend"), let spend { key.spend = spend }
        // null is "not given", as LiteLLM's UI and SDKs send it (its request models drop None fields).
        if let models = body["models"], !models.isNull {
            guard let list = models.arrayValue?.compactMap(\.stringValue), list.count == models.arrayValue?.count else {
                throw badRequest("models must be a list of model names", param: "models")
            }
            key.models = list
        }
        if let metadata = body["metadata"], !metadata.isNull {
            guard case .object = metadata else { throw badRequest("metadata must be an object", param: "metadata") }
            key.metadata = metadata
        }
        if let duration = try text("budget_duration") {
            if let duration {
                guard let seconds = DurationText.seconds(duration) else {
                    throw badRequest(
                        "budget_duration must look like 30s, 30m, 24h, 30d or 1mo",
                        param: "budget_duration"
                    )
                }
                key.budgetDuration = duration
                key.budgetResetAt = Date().addingTimeInterval(seconds)
            } else {
                key.budgetDuration = nil
                key.budgetResetAt = nil
            }
        }
        if let duration = try text("duration") {
            if let duration {
                guard let seconds = DurationText.seconds(duration) else {
                    throw badRequest("duration must look like 30s, 30m, 24h, 30d or 1mo", param: "duration")
                }
                key.expires = Date().addingTimeInterval(seconds)
            } else {
                key.expires = nil
            }
        }
        if let expires = try text("expires"), let expires {
            guard let date = TimestampText.parse(expires) else {
                throw badRequest("expires must be an ISO 8601 time", param: "expires")
            }
            key.expires = date
        }
        if let blocked = body["blocked"]?.boolValue { key.blocked = blocked }
        key.updatedAt = Date()
    }

    func storeCall<T>(_ body: () async throws -> T) async throws(ProxyError) -> T {
        try await ProxyError.storeCall("Key database", body)
    }

    /// The hash a body names a key by: `key` (the key itself, or its hash).
    static func token(of value: String) -> String {
        value.hasPrefix("sk-") ? SecretHash.sha256Hex(value) : value
    }

    /// The caller's own key token, when it is a virtual key.
    static func ownToken(_ caller: Caller) -> String? {
        if case .virtualKey(let token, _, _) = caller.kind { return token }
        return nil
    }

    /// Whether a non-admin caller may see or change a key: its own, or one its user owns.
    static func owns(_ caller: Caller, _ key: VirtualKey) -> Bool {
        if caller.isAdmin { return true }
        if ownToken(caller) == key.token { return true }
        guard let user = caller.userID else { return false }
        return key.userID == user
    }

    /// May create keys: admins for anyone; internal users for themselves.
    static func mayCreateKeys(_ caller: Caller) -> Bool {
        caller.isAdmin || (caller.userID != nil && caller.role == .internalUser)
    }

    /// What an internal user may not set on its own new key: its spend and block (its owner is its user; a team must
    /// have it as a member). Limits, budget, models and expiry only narrow it: its team's and its own checks apply.
    static let adminOnlyOnGenerate: Set<String> = ["spend", "blocked"]
    /// What an internal user may not change on its own key afterwards: all but its alias and metadata.
    static let adminOnlyOnUpdate: Set<String> = [
        "team_id", "models", "max_budget", "budget_duration", "tpm_limit", "rpm_limit", "max_parallel_requests",
        "spend",
        "blocked", "duration", "expires",
    ]

    /// A non-admin body setting one of `forbidden` (null is "not given", as LiteLLM's UI sends it): 403 naming it.
    static func checkSelfService(_ body: JSONObject, _ forbidden: Set<String>, _ caller: Caller) throws(ProxyError) {
        guard !caller.isAdmin,
            let field = body.first(where: { forbidden.contains($0.key) && !$0.value.isNull })?.key
        else { return }
        throw .forbidden("Only proxy admins may set \(field) on a key.", param: field)
    }

    public func generate(_ body: JSONObject, by caller: Caller = .admin) async throws(ProxyError) -> JSON {
        guard KeyService.mayCreateKeys(caller) else { throw caller.adminOnly("/key/generate") }
        var body = body
        if !caller.isAdmin {
            body.removeValue(forKey: "user_id")
            try KeyService.checkSelfService(body, KeyService.adminOnlyOnGenerate, caller)
            if let team = body["team_id"]?.stringValue {
                // A user's key joins only a team the user is a member of.
                guard let accounts,
                    AccountService.memberIDs(try await accounts.team(team)).contains(caller.userID ?? "\u{0}")
                else {
                    throw .forbidden(
                        "User=\(caller.userID ?? "None") is not a member of team_id=\(team)",
                        param: "team_id"
                    )
                }
            }
            if let user = caller.userID { body["user_id"] = .string(user) }
        }
        let secret: String
        if let custom = body["key"]?.stringValue {
            guard custom.hasPrefix("sk-"), custom.count >= 8 else {
                throw KeyService.badRequest("key must start with sk- and be at least 8 characters", param: "key")
            }
            secret = custom
        } else {
            secret = VirtualKey.generateKey()
        }
        var key = VirtualKey(
            token: SecretHash.sha256Hex(secret),
            keyName: SecretHash.abbreviated(secret),
            createdBy: "master_key"
        )
        try KeyService.apply(body, to: &key)
        let record = key
        try await storeCall { try await self.store.insertKey(record) }
        remember(record)
        await audited("created", record.token, before: nil, after: record)
        var response = record.json.objectValue ?? JSONObject()
        response.insert("key", .string(secret), at: 0)
        response["token_id"] = .string(record.token)
        return .object(response)
    }

    static let keyNotFound = ProxyError(
        OpenAIError(status: 404, message: "Key not found in database", type: "not_found_error", param: "key")
    )

    /// A key the caller may see: 404 when there is none, 403 when it is someone else's.
    func visibleKey(_ token: String, to caller: Caller) async throws(ProxyError) -> VirtualKey {
        guard let key = try await storeCall({ try await self.store.key(token: token) }) else {
            throw KeyService.keyNotFound
        }
        guard caller.isAdminViewer || KeyService.owns(caller, key) else {
            throw .forbidden(
                "You are not allowed to access this key's info. Your role=\(caller.role?.rawValue ?? "unknown")"
            )
        }
        return key
    }

    /// `GET /key/info`: the named key, or without `key` the caller's own.
    public func info(_ value: String?, by caller: Caller = .admin) async throws(ProxyError) -> JSON {
        guard let token = value.map(KeyService.token(of:)) ?? KeyService.ownToken(caller) else {
            throw KeyService.badRequest("key is required", param: "key")
        }
        let key = try await visibleKey(token, to: caller)
        return ["key": .string(token), "info": key.json]
    }

    public func update(_ body: JSONObject, by caller: Caller = .admin) async throws(ProxyError) -> JSON {
        guard let value = body["key"]?.stringValue else { throw KeyService.badRequest("key is required", param: "key") }
        let token = KeyService.token(of: value)
        var key = try await visibleKey(token, to: caller)
        let before = key
        guard caller.isAdmin || KeyService.owns(caller, key) && caller.role == .internalUser else {
            throw caller.adminOnly("/key/update")
        }
        if !caller.isAdmin, let wanted = body["user_id"]?.stringValue, wanted != key.userID {
            throw .forbidden(
                "Non-admin caller is not allowed to rebind the key from user=\(key.userID ?? "None") to user=\(wanted)"
            )
        }
        try KeyService.checkSelfService(body, KeyService.adminOnlyOnUpdate, caller)
        var fields = body
        fields.removeValue(forKey: "key")
        try KeyService.apply(fields, to: &key)
        let record = key
        try await storeCall { try await self.store.replaceKey(record) }
        remember(record)
        await audited(nil, token, before: before, after: record)
        return record.json
    }

    public func setBlocked(_ body: JSONObject, blocked: Bool) async throws(ProxyError) -> JSON {
        guard let value = body["key"]?.stringValue else { throw KeyService.badRequest("key is required", param: "key") }
        return try await update(["key": .string(value), "blocked": .bool(blocked)])
    }

    public func delete(_ body: JSONObject, by caller: Caller = .admin) async throws(ProxyError) -> JSON {
        guard let values = body["keys"]?.arrayValue?.compactMap(\.stringValue), !values.isEmpty else {
            throw KeyService.badRequest("keys must be a non-empty list", param: "keys")
        }
        let tokens = values.map(KeyService.token(of:))
        var before: [String: VirtualKey] = [:]
        if !caller.isAdmin || auditing {
            for token in tokens {
                let key = try await storeCall { try await self.store.key(token: token) }
                if !caller.isAdmin {
                    guard let key, KeyService.owns(caller, key), caller.role == .internalUser else {
                        throw .forbidden("You are not authorized to delete this key")
                    }
                }
                before[token] = key
            }
        }
        let deleted = try await storeCall { try await self.store.deleteKeys(tokens: tokens) }
        for token in tokens { forget(token) }
        for token in deleted { await audited("deleted", token, before: before[token], after: nil) }
        return ["deleted_keys": .array(deleted.map(JSON.string))]
    }

    /// `GET /key/list`: every key to admins, a user's own keys to them (none to a key without a user).
    public func list(page: Int, size: Int, by caller: Caller = .admin) async throws(ProxyError) -> JSON {
        // Clamped here too: `(page - 1) * size` must not overflow whoever calls this with a raw number.
        let page = min(Paging.lastPage, max(1, page)), size = min(100, max(1, size))
        let owner: KeyOwner? = caller.isAdminViewer ? nil : .user(caller.userID ?? "")
        let keys = try await storeCall {
            try await self.store.listKeys(owner: owner, offset: (page - 1) * size, limit: size)
        }
        let total = try await storeCall { try await self.store.countKeys(owner: owner) }
        return [
            "keys": .array(keys.map { .string($0.token) }), "total_count": .int(total), "current_page": .int(page),
            "total_pages": .int((total + size - 1) / size),
        ]
    }

    public func regenerate(_ value: String, body: JSONObject) async throws(ProxyError) -> JSON {
        let token = KeyService.token(of: value)
        guard var key = try await storeCall({ try await self.store.key(token: token) }) else {
            throw ProxyError(OpenAIError(status: 404, message: "Key not found", type: "not_found_error", param: "key"))
        }
        let before = key
        let secret = VirtualKey.generateKey()
        let oldToken = key.token
        key.token = SecretHash.sha256Hex(secret)
        key.keyName = SecretHash.abbreviated(secret)
        var fields = body
        fields.removeValue(forKey: "key")
        try KeyService.apply(fields, to: &key)
        let record = key
        try await storeCall {
            try await self.store.insertKey(record)
            _ = try await self.store.deleteKeys(tokens: [oldToken])
        }
        forget(oldToken)
        remember(record)
        await audited("rotated", oldToken, before: before, after: record)
        var response = record.json.objectValue ?? JSONObject()
        response.insert("key", .string(secret), at: 0)
        return .object(response)
    }
}

/// Keys by owner, for the team and user routes.
extension KeyService {
    public func keys(of owner: KeyOwner) async throws(ProxyError) -> [VirtualKey] {
        try await storeCall { try await self.store.listKeys(owner: owner, offset: 0, limit: 1000) }
    }

    /// Deletes every key of an owner (a deleted team's keys stop working at once on this replica).
    public func deleteKeys(of owner: KeyOwner) async throws(ProxyError) {
        // A page at a time until none is left: an owner may have any number of keys.
        while true {
            let found = try await keys(of: owner)
            guard !found.isEmpty else { return }
            let deleted = try await storeCall { try await self.store.deleteKeys(tokens: found.map(\.token)) }
            for key in found {
                forget(key.token)
                if deleted.contains(key.token) { await audited("deleted", key.token, before: key, after: nil) }
            }
        }
    }
}

/// The audit log of key changes (`LiteLLM_VerificationToken` rows: hashes, never a secret).
extension KeyService {
    var auditing: Bool { accounts?.audit.isRecording == true }

    /// Records a key change; `action` nil: `updated`, or `blocked`/`unblocked` when only that changed.
    func audited(_ action: String?, _ token: String, before: VirtualKey?, after: VirtualKey?) async {
        guard let audit = accounts?.audit, audit.isRecording else { return }
        let old = before?.json.objectValue, new = after?.json.objectValue
        guard let action = action ?? AuditTrail.action(before: old, after: new ?? [:]) else { return }
        await audit.record(
            action,
            table: "LiteLLM_VerificationToken",
            objectID: token,
            before: old.map(JSON.object),
            after: new.map(JSON.object)
        )
    }
}
