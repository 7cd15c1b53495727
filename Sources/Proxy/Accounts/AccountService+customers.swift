import Foundation
import Wire

/// `/customer/*` (also `/end_user/*`): end users, the request body's `user`, with an optional budget row
/// (`/budget/*`: max_budget, tpm/rpm limits, a duration) they share by `budget_id`.
extension AccountService {
    static let budgetFields = [
        "max_budget", "soft_budget", "max_parallel_requests", "tpm_limit", "rpm_limit", "model_max_budget",
        "budget_duration",
    ]
    static let customerFields = ["alias", "allowed_model_region", "default_model", "budget_id", "blocked"]

    public func budget(_ id: String) async throws(ProxyError) -> JSONObject {
        guard let row = try await storeCall({ try await self.store.row(AccountSchema.budgets, key: id) }) else {
            throw AccountService.notFound("Budget not found, passed budget_id=\(id)", param: "budget_id")
        }
        return AccountSchema.budgets.json(row)
    }

    /// `/budget/new` (and the budget a `/customer/new` body's limits make): 400 when the id is taken.
    public func newBudget(_ body: JSONObject, by actor: String) async throws(ProxyError) -> JSONObject {
        let id = body["budget_id"]?.stringValue ?? UUID().uuidString.lowercased()
        if try await storeCall({ try await self.store.row(AccountSchema.budgets, key: id) }) != nil {
            throw AccountService.badRequest("Budget id = \(id) already exists.", param: "budget_id")
        }
        var budget = AccountService.blank(AccountSchema.budgets, key: id)
        budget["created_by"] = .string(actor)
        budget["updated_by"] = .string(actor)
        budget["model_max_budget"] = .null
        try AccountService.apply(body, AccountService.budgetFields, of: AccountSchema.budgets, to: &budget)
        try await save(AccountSchema.budgets, budget)
        return budget
    }

    public func updateBudget(_ body: JSONObject, by actor: String) async throws(ProxyError) -> JSONObject {
        guard let id = body["budget_id"]?.stringValue else {
            throw AccountService.badRequest("budget_id is required", param: "budget_id")
        }
        var budget = try await budget(id)
        try AccountService.apply(body, AccountService.budgetFields, of: AccountSchema.budgets, to: &budget)
        budget["updated_by"] = .string(actor)
        try await save(AccountSchema.budgets, budget)
        return budget
    }

    public func budgets() async throws(ProxyError) -> [JSONObject] {
        try await storeCall { try await self.store.rows(AccountSchema.budgets, where: nil, equals: nil, limit: 10_000) }
            .map(AccountSchema.budgets.json)
    }

    public func deleteBudget(_ id: String) async throws(ProxyError) -> JSONObject {
        let budget = try await budget(id)
        _ = try await remove(AccountSchema.budgets, [id])
        return budget
    }

    /// An end user with its budget row (`litellm_budget_table`), as `/customer/info` shows it.
    public func customer(_ id: String) async throws(ProxyError) -> JSONObject {
        guard let row = try await storeCall({ try await self.store.row(AccountSchema.endUsers, key: id) }) else {
            throw AccountService.notFound("End User Id=\(id) does not exist in db", param: "end_user_id")
        }
        return try await withBudget(AccountSchema.endUsers.json(row))
    }

    func withBudget(_ customer: JSONObject) async throws(ProxyError) -> JSONObject {
        var customer = customer
        customer["litellm_budget_table"] = .null
        if let id = customer["budget_id"]?.stringValue,
            let budget = try await storeCall({ try await self.store.row(AccountSchema.budgets, key: id) })
        {
            customer["litellm_budget_table"] = .object(AccountSchema.budgets.json(budget))
        }
        return customer
    }

    /// `/customer/new`: limits in the body (max_budget, tpm_limit, …) make a budget row of its own.
    public func newCustomer(_ body: JSONObject, by actor: String) async throws(ProxyError) -> JSONObject {
        guard let id = body["user_id"]?.stringValue, !id.isEmpty else {
            throw AccountService.badRequest("user_id is required", param: "user_id")
        }
        if try await storeCall({ try await self.store.row(AccountSchema.endUsers, key: id) }) != nil {
            throw AccountService.badRequest(
                "Customer already exists, passed user_id=\(id). Use /customer/update instead.",
                param: "user_id"
            )
        }
        var customer = AccountService.blank(AccountSchema.endUsers, key: id)
        try AccountService.apply(body, AccountService.customerFields, of: AccountSchema.endUsers, to: &customer)
        customer.removeValue(forKey: "updated_at")
        if let budgetID = customer["budget_id"]?.stringValue {
            _ = try await budget(budgetID)
        } else if AccountService.budgetFields.contains(where: { body[$0] != nil && !(body[$0]?.isNull ?? true) }) {
            var fields = body
            fields.removeValue(forKey: "budget_id")
            customer["budget_id"] = try await newBudget(fields, by: actor)["budget_id"] ?? .null
        }
        try await save(AccountSchema.endUsers, customer)
        noteGoverned(customer)
        return try await withBudget(customer)
    }

    /// A customer with a budget or a region, or blocked: this replica checks end users from now on.
    func noteGoverned(_ customer: JSONObject) {
        guard
            customer["budget_id"]?.stringValue != nil || customer["allowed_model_region"]?.stringValue != nil
                || customer["blocked"]?.boolValue == true
        else { return }
        governedEndUsers.withLockedValue { $0 = (true, .now) }
    }

    public func updateCustomer(_ body: JSONObject) async throws(ProxyError) -> JSONObject {
        guard let id = body["user_id"]?.stringValue else {
            throw AccountService.badRequest("user_id is required", param: "user_id")
        }
        var customer = try await customer(id)
        customer.removeValue(forKey: "litellm_budget_table")
        try AccountService.apply(body, AccountService.customerFields, of: AccountSchema.endUsers, to: &customer)
        customer.removeValue(forKey: "updated_at")
        if let budgetID = customer["budget_id"]?.stringValue {
            var fields = body
            fields["budget_id"] = .string(budgetID)
            if AccountService.budgetFields.contains(where: { body[$0] != nil }) {
                _ = try await updateBudget(fields, by: "proxy_admin")
            }
        }
        try await save(AccountSchema.endUsers, customer)
        noteGoverned(customer)
        return try await withBudget(customer)
    }

    public func setCustomersBlocked(_ ids: [String], blocked: Bool) async throws(ProxyError) -> [JSONObject] {
        var changed: [JSONObject] = []
        for id in ids {
            var customer = try await customer(id)
            customer.removeValue(forKey: "litellm_budget_table")
            customer["blocked"] = .bool(blocked)
            try await save(AccountSchema.endUsers, customer)
            noteGoverned(customer)
            changed.append(customer)
        }
        return changed
    }

    public func deleteCustomers(_ ids: [String]) async throws(ProxyError) -> [String] {
        for id in ids { _ = try await customer(id) }
        return try await remove(AccountSchema.endUsers, ids)
    }

    public func customers() async throws(ProxyError) -> [JSONObject] {
        var list: [JSONObject] = []
        for row in try await storeCall({
            try await self.store.rows(AccountSchema.endUsers, where: nil, equals: nil, limit: 10_000)
        }) {
            list.append(try await withBudget(AccountSchema.endUsers.json(row)))
        }
        return list
    }
}
