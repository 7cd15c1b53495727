import Foundation
import NIOConcurrencyHelpers
import Wire

/// What a key's team and user add to its check, in LiteLLM's order: a blocked team, the team's models (kept on the
/// caller for the model check), the team's budget, then the user's own budget (not for team keys). A spent budget is
/// kept on the caller and refused after the model checks, as LiteLLM's common checks order them.
extension AccountService {
    public func admit(
        _ caller: inout Caller,
        teamID: String?,
        userID: String?,
        budgetStatus: Int
    ) async throws(ProxyError) {
        if let teamID, var team = try await lookup(AccountSchema.teams, teamID) {
            if team["blocked"]?.boolValue == true {
                throw ProxyError(
                    OpenAIError(
                        status: 401,
                        message: "Authentication Error, Team=\(teamID) is blocked. "
                            + "Update via `/team/unblock` if you're an admin.",
                        type: "auth_error",
                        param: "None"
                    )
                )
            }
            caller.teamID = teamID
            caller.teamModels = team["models"]?.arrayValue?.compactMap(\.stringValue) ?? []
            caller.limits += AccountService.limits(team, scope: "team:\(teamID)", name: "team")
            caller.teamAliases = try await aliases(of: team)
            for tag in team["metadata"]?["tags"]?.arrayValue?.compactMap(\.stringValue) ?? []
            where !caller.policyTags.contains(tag) {
                caller.policyTags.append(tag)
            }
            for name in team["metadata"]?["guardrails"]?.arrayValue?.compactMap(\.stringValue) ?? []
            where !caller.guardrails.contains(name) {
                caller.guardrails.append(name)
            }
            team = await resetIfDue(AccountSchema.teams, team)
            caller.account.teamAlias = team["team_alias"]?.stringValue
            caller.account.team = AccountService.budget(team)
            if let budget = team["max_budget"]?.doubleValue {
                let spend = team["spend"]?.doubleValue ?? 0
                if spend >= budget {
                    caller.budgetRefusal = BudgetRefusal(
                        message:
                            "Budget has been exceeded! Team=\(teamID) Current cost: \(spend), Max budget: \(budget)",
                        status: budgetStatus
                    )
                }
            }
        }
        guard let userID, var user = try await lookup(AccountSchema.users, userID) else { return }
        // A user row without a known role is an internal user (LiteLLM's default); no row, no role.
        caller.role = user["user_role"]?.stringValue.flatMap(UserRole.init(rawValue:)) ?? .internalUser
        user = await resetIfDue(AccountSchema.users, user)
        caller.account.userEmail = user["user_email"]?.stringValue
        caller.account.user = AccountService.budget(user)
        // LiteLLM checks a user's models on personal keys only (a team key answers to its team's).
        if caller.teamID == nil { caller.userModels = user["models"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        guard caller.teamID == nil, let budget = user["max_budget"]?.doubleValue else { return }
        let spend = user["spend"]?.doubleValue ?? 0
        if spend >= budget {
            caller.budgetRefusal = BudgetRefusal(
                message:
                    "ExceededBudget: User=\(userID) over budget. Spend=\(spend), Budget=\(budget)",
                status: budgetStatus
            )
        }
    }

    /// The request's end user (the body's `user`), when it has a record: blocked, over its budget's `max_budget`, or
    /// else its budget's rpm / tpm / parallel limits join the caller's. Checked for the master key too, as LiteLLM.
    public func admitEndUser(_ caller: inout Caller, id: String, budgetStatus: Int) async throws(ProxyError) {
        // The body's `user` is anyone's choice: with the database down and nothing cached it goes unchecked, as in
        // LiteLLM, rather than failing (or slowing) every request that names one.
        guard await endUsersAreGoverned(), let endUser = try? await record(AccountSchema.endUsers, id) else { return }
        if endUser["blocked"]?.boolValue == true {
            throw ProxyError(
                OpenAIError(
                    status: 403,
                    message: "Authentication Error, End User=\(id) is blocked. Update via `/customer/unblock`.",
                    type: "auth_error",
                    param: "user"
                )
            )
        }
        caller.endUserID = id
        caller.endUserRegion = endUser["allowed_model_region"]?.stringValue?.lowercased()
        guard let budgetID = endUser["budget_id"]?.stringValue,
            let found = try? await record(AccountSchema.budgets, budgetID)
        else { return }
        let budget = await resetIfDue(AccountSchema.budgets, found)
        let renewed = budget["budget_reset_at"] != found["budget_reset_at"]
        if let maximum = budget["max_budget"]?.doubleValue {
            let spend = renewed ? 0 : endUser["spend"]?.doubleValue ?? 0
            if spend >= maximum, caller.budgetRefusal == nil {
                caller.budgetRefusal = BudgetRefusal(
                    message:
                        "ExceededBudget: End User=\(id) over budget. Spend=\(spend), Budget=\(maximum)",
                    status: budgetStatus
                )
            }
        }
        caller.limits += AccountService.limits(budget, scope: "end_user:\(id)", name: "end user")
    }

    /// Whether any end user has a budget or a region or is blocked: read again every cache TTL (or set at once by this
    /// replica's `/customer/*`); on a database error the last answer stands.
    func endUsersAreGoverned() async -> Bool {
        if let (known, read) = governedEndUsers.withLockedValue({ $0 }), ContinuousClock.now - read < cacheTTL {
            return known
        }
        let store = self.store
        let answer = NIOLockedValueBox(false)
        do {
            try await Deadline.run(within: lookupTimeout) {
                let any = try await store.anyRow(
                    AccountSchema.endUsers,
                    notNull: ["budget_id", "allowed_model_region"],
                    orTrue: "blocked"
                )
                answer.withLockedValue { $0 = any }
            }
        } catch {
            let last = governedEndUsers.withLockedValue { $0?.0 } ?? false
            governedEndUsers.withLockedValue { $0 = (last, .now) }
            return last
        }
        let governed = answer.withLockedValue { $0 }
        governedEndUsers.withLockedValue { $0 = (governed, .now) }
        return governed
    }

    static func limits(_ record: JSONObject, scope: String, name: String) -> [RateLimit] {
        RateLimit.of(
            scope: scope,
            name: name,
            rpm: record["rpm_limit"]?.intValue,
            tpm: record["tpm_limit"]?.intValue,
            parallel: record["max_parallel_requests"]?.intValue
        )
    }

    /// Adds a finished request's spend to its team, user and end user in the cache (the database gets it with the
    /// request's spend row), so their budgets hold before the batched write lands.
    public func addCachedSpend(_ caller: Caller, _ spend: Double) {
        if let team = caller.teamID { addCachedSpend(AccountSchema.teams, team, spend) }
        if let user = caller.userID { addCachedSpend(AccountSchema.users, user, spend) }
        if let endUser = caller.endUserID { addCachedSpend(AccountSchema.endUsers, endUser, spend) }
    }

    /// A record, or nil; a database that does not answer (and no cached copy) is a 503, never a skipped check.
    func lookup(_ table: RecordTable, _ key: String) async throws(ProxyError) -> JSONObject? {
        try await storeCall { try await self.record(table, key) }
    }

    /// Starts a new budget period when the last one is over: spend back to 0 and the next reset one duration on, by
    /// one conditional UPDATE (never a stale copy of the row written back), bounded like a lookup; the end users of a
    /// renewed budget start again at 0 too.
    func resetIfDue(_ table: RecordTable, _ record: JSONObject) async -> JSONObject {
        guard let duration = record["budget_duration"]?.stringValue.flatMap(DurationText.seconds),
            let reset = record["budget_reset_at"]?.stringValue.flatMap(TimestampText.parse), reset <= Date(),
            let key = table.texts(record).first ?? nil
        else { return record }
        let next = Date().addingTimeInterval(duration)
        let store = self.store
        try? await Deadline.run(within: lookupTimeout) {
            let renewed = try await store.renewBudget(
                table,
                key: key,
                next: TimestampText.format(next),
                now: TimestampText.format(Date())
            )
            if renewed, table.name == AccountSchema.budgets.name {
                try await store.zeroSpend(AccountSchema.endUsers, where: "budget_id", equals: key)
            }
        }
        var renewed = record
        if record["spend"] != nil { renewed["spend"] = .double(0) }
        renewed["budget_reset_at"] = .string(VirtualKey.iso(next))
        remember(table.name + "\u{0}" + key, Cached(record: renewed, fetched: .now))
        if table.name == AccountSchema.budgets.name { forgetAll(AccountSchema.endUsers) }
        return renewed
    }
}

extension AccountService {
    /// A team's or user's spend, budget and next reset, as `/metrics` shows them.
    static func budget(_ record: JSONObject) -> CallerAccount.Budget {
        CallerAccount.Budget(
            spend: record["spend"]?.doubleValue ?? 0,
            max: record["max_budget"]?.doubleValue,
            resetAt: record["budget_reset_at"]?.stringValue.flatMap(TimestampText.parse)
        )
    }
}
