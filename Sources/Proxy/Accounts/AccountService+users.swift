import Foundation
import Wire

/// `/user/*` on the user table, in LiteLLM's shapes. A new user joins the teams it names; its first key is made by
/// the caller (the key service), as LiteLLM's `/user/new` does with `auto_create_key`.
extension AccountService {
    static let userFields = [
        "user_alias", "user_email", "user_role", "organization_id", "max_budget", "models", "metadata",
        "max_parallel_requests", "tpm_limit", "rpm_limit", "budget_duration", "model_max_budget", "teams",
        "sso_user_id",
    ]

    static func userNotFound(_ id: String) -> ProxyError {
        notFound("User not found, passed user_id=\(id)", param: "user_id")
    }

    public func user(_ id: String) async throws(ProxyError) -> JSONObject {
        guard let user = try await storeCall({ try await self.store.row(AccountSchema.users, key: id) }) else {
            throw AccountService.userNotFound(id)
        }
        return AccountSchema.users.json(user)
    }

    public func newUser(_ body: JSONObject) async throws(ProxyError) -> JSONObject {
        let id = body["user_id"]?.stringValue ?? UUID().uuidString.lowercased()
        try AccountService.checkRole(body["user_role"], allowed: AccountService.newUserRoles)
        if try await storeCall({ try await self.store.row(AccountSchema.users, key: id) }) != nil {
            throw ProxyError(
                OpenAIError(status: 409, message: "User with id \(id) already exists", type: "None", param: "user_id")
            )
        }
        var user = AccountService.blank(AccountSchema.users, key: id)
        user["user_role"] = .string(UserRole.internalUser.rawValue)
        try AccountService.apply(body, AccountService.userFields, of: AccountSchema.users, to: &user)
        try await save(AccountSchema.users, user)
        var teams = user["teams"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let team = body["team_id"]?.stringValue, !teams.contains(team) { teams.append(team) }
        for teamID in teams {
            // As in LiteLLM, a team that cannot take the user (none with that id) does not fail the user's creation.
            guard let team = try? await team(teamID), !AccountService.memberIDs(team).contains(id) else { continue }
            let member: JSONObject = [
                "role": "user", "user_id": .string(id), "user_email": user["user_email"] ?? .null,
            ]
            _ = try await addMembers([member], to: team)
        }
        return try await self.user(id)
    }

    public func updateUser(_ body: JSONObject) async throws(ProxyError) -> JSON {
        guard let id = body["user_id"]?.stringValue else {
            throw AccountService.badRequest("user_id is required", param: "user_id")
        }
        try AccountService.checkRole(body["user_role"], allowed: UserRole.allCases)
        // An unknown user_id is created, as LiteLLM's upsert does.
        var user =
            try await storeCall { try await self.store.row(AccountSchema.users, key: id) }.map(AccountSchema.users.json)
            ?? AccountService.blank(AccountSchema.users, key: id)
        try AccountService.apply(body, AccountService.userFields, of: AccountSchema.users, to: &user)
        try await save(AccountSchema.users, user)
        return ["user_id": .string(id), "data": .object(user)]
    }

    public func deleteUsers(_ ids: [String]) async throws(ProxyError) -> [String] {
        for id in ids {
            for var team in try await teams(member: id) {
                team["members_with_roles"] = .array(
                    (team["members_with_roles"]?.arrayValue ?? []).filter { $0["user_id"]?.stringValue != id }
                )
                try await save(AccountSchema.teams, team)
            }
        }
        return try await remove(AccountSchema.users, ids)
    }

    public func users(limit: Int) async throws(ProxyError) -> [JSONObject] {
        try await storeCall { try await self.store.rows(AccountSchema.users, where: nil, equals: nil, limit: limit) }
            .map(AccountSchema.users.json)
    }

    /// The roles `/user/new` takes (LiteLLM's request model refuses the others with a 422).
    static let newUserRoles: [UserRole] = [.proxyAdmin, .proxyAdminViewer, .internalUser, .internalUserViewer]

    static func checkRole(_ value: JSON?, allowed: [UserRole]) throws(ProxyError) {
        guard let value, !value.isNull else { return }
        guard let role = value.stringValue.flatMap(UserRole.init(rawValue:)), allowed.contains(role) else {
            throw ProxyError(
                OpenAIError(
                    status: 422,
                    message: "user_role must be one of \(allowed.map(\.rawValue).joined(separator: ", "))",
                    type: "None",
                    param: "user_role"
                )
            )
        }
    }
}
