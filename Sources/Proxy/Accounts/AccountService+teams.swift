import Foundation
import Wire

/// `/team/*` on the team table, in LiteLLM's shapes: a team is its row (`members_with_roles` a list of
/// `{role, user_id, user_email}`); members get a user row and the team in their `teams`.
extension AccountService {
    static let teamFields = [
        "team_alias", "organization_id", "metadata", "max_budget", "models", "max_parallel_requests", "tpm_limit",
        "rpm_limit", "budget_duration", "blocked", "model_max_budget",
    ]

    static func teamNotFound(_ id: String) -> ProxyError {
        notFound("Team not found, passed team_id=\(id)", param: "team_id")
    }

    public func team(_ id: String) async throws(ProxyError) -> JSONObject {
        guard let team = try await storeCall({ try await self.store.row(AccountSchema.teams, key: id) }) else {
            throw AccountService.teamNotFound(id)
        }
        return AccountSchema.teams.json(team)
    }

    public func newTeam(_ body: JSONObject) async throws(ProxyError) -> JSONObject {
        let id = body["team_id"]?.stringValue ?? UUID().uuidString.lowercased()
        if id == "litellm-dashboard" {
            throw AccountService.badRequest(
                "team_id 'litellm-dashboard' is reserved for LiteLLM UI dashboard sessions and cannot be used for a "
                    + "real team. Please use a different team id.",
                param: "team_id"
            )
        }
        if try await storeCall({ try await self.store.row(AccountSchema.teams, key: id) }) != nil {
            throw AccountService.badRequest(
                "Team id = \(id) already exists. Please use a different team id.",
                param: "team_id"
            )
        }
        var team = AccountService.blank(AccountSchema.teams, key: id)
        try AccountService.apply(body, AccountService.teamFields, of: AccountSchema.teams, to: &team)
        team["members_with_roles"] = []
        let members = try AccountService.members(body["members_with_roles"])
        try await saveAliases(body, of: &team)
        try await save(AccountSchema.teams, team)
        return try await addMembers(members, to: team).team
    }

    public func updateTeam(_ body: JSONObject) async throws(ProxyError) -> JSON {
        guard let id = body["team_id"]?.stringValue else {
            throw AccountService.badRequest("team_id is required", param: "team_id")
        }
        var team = try await team(id)
        try AccountService.apply(body, AccountService.teamFields, of: AccountSchema.teams, to: &team)
        if body["members_with_roles"] != nil, !(body["members_with_roles"]?.isNull ?? true) {
            team["members_with_roles"] = .array(try AccountService.members(body["members_with_roles"]).map(JSON.object))
        }
        try await saveAliases(body, of: &team)
        try await save(AccountSchema.teams, team)
        return ["team_id": .string(id), "data": .object(team)]
    }

    public func setTeamBlocked(_ body: JSONObject, blocked: Bool) async throws(ProxyError) -> JSONObject {
        guard let id = body["team_id"]?.stringValue else {
            throw AccountService.badRequest("team_id is required", param: "team_id")
        }
        var team = try await team(id)
        team["blocked"] = .bool(blocked)
        try await save(AccountSchema.teams, team)
        return team
    }

    /// Deletes teams (each must exist) and takes them out of their members' `teams`.
    public func deleteTeams(_ body: JSONObject) async throws(ProxyError) -> [String] {
        guard let ids = body["team_ids"]?.arrayValue?.compactMap(\.stringValue), !ids.isEmpty else {
            throw AccountService.badRequest("team_ids must be a non-empty list", param: "team_ids")
        }
        var teams: [JSONObject] = []
        for id in ids { teams.append(try await team(id)) }
        for team in teams {
            for member in AccountService.memberIDs(team) {
                guard
                    var user = try await storeCall({ try await self.store.row(AccountSchema.users, key: member) })
                        .map(AccountSchema.users.json)
                else { continue }
                let id = team["team_id"]?.stringValue
                user["teams"] = .array((user["teams"]?.arrayValue ?? []).filter { $0.stringValue != id })
                try await save(AccountSchema.users, user)
            }
        }
        return try await remove(AccountSchema.teams, ids)
    }

    /// A body's `model_aliases` (`{"cheap-model": "gpt-4o"}`) into the team's `"LiteLLM_ModelTable"` row, as LiteLLM
    /// keeps them: a new row gets an id far above LiteLLM's own sequence, so both can add rows to one table.
    func saveAliases(_ body: JSONObject, of team: inout JSONObject) async throws(ProxyError) {
        guard let aliases = body["model_aliases"], !aliases.isNull else { return }
        guard let map = aliases.objectValue, map.allSatisfy({ $0.value.stringValue != nil }) else {
            throw AccountService.badRequest("model_aliases must map model names to model names", param: "model_aliases")
        }
        let id = team["model_id"]?.intValue ?? Int.random(in: (1 << 30) ..< (1 << 31))
        var row =
            try await storeCall { try await self.store.row(AccountSchema.models, key: String(id)) }
            .map(AccountSchema.models.json) ?? AccountService.blank(AccountSchema.models, key: String(id))
        row["id"] = .int(id)
        row["aliases"] = .object(map)
        row["created_by"] = row["created_by"]?.stringValue.map(JSON.string) ?? .string(Caller.adminUserID)
        row["updated_by"] = .string(Caller.adminUserID)
        try await save(AccountSchema.models, row)
        team["model_id"] = .int(id)
    }

    /// A team's model aliases (empty without any).
    func aliases(of team: JSONObject) async throws(ProxyError) -> [String: String] {
        guard let id = team["model_id"]?.intValue,
            let row = try await lookup(AccountSchema.models, String(id))
        else { return [:] }
        var map: [String: String] = [:]
        for member in row["aliases"]?.objectValue ?? [:] { map[member.key] = member.value.stringValue }
        return map
    }

    /// `members_with_roles` / `member` as a list of LiteLLM members (`role` admin or user; a `user_id` or a
    /// `user_email`).
    static func members(_ value: JSON?) throws(ProxyError) -> [JSONObject] {
        guard let value, !value.isNull else { return [] }
        let list = value.arrayValue ?? [value]
        var members: [JSONObject] = []
        for item in list {
            guard let member = item.objectValue else {
                throw badRequest("each member must be an object with role and user_id or user_email", param: "member")
            }
            let role = member["role"]?.stringValue ?? "user"
            guard ["admin", "user"].contains(role) else {
                throw badRequest("member role must be admin or user, got \(role)", param: "role")
            }
            let user = member["user_id"]?.stringValue, email = member["user_email"]?.stringValue
            guard user != nil || email != nil else {
                throw badRequest("a member needs a user_id or a user_email", param: "member")
            }
            members.append([
                "role": .string(role), "user_id": user.map(JSON.string) ?? .null,
                "user_email": email.map(JSON.string) ?? .null,
            ])
        }
        return members
    }

    static func memberIDs(_ team: JSONObject) -> [String] {
        (team["members_with_roles"]?.arrayValue ?? []).compactMap { $0["user_id"]?.stringValue }
    }

    /// `/team/member_add`: members already in the team are skipped, and when every one is, it is LiteLLM's 400.
    public func addNewMembers(_ members: [JSONObject], to team: JSONObject) async throws(ProxyError)
        -> (team: JSONObject, users: [JSONObject])
    {
        let listed = team["members_with_roles"]?.arrayValue ?? []
        func present(_ member: JSONObject) -> Bool {
            listed.contains { existing in
                (member["user_id"]?.stringValue).map { existing["user_id"]?.stringValue == $0 }
                    ?? (member["user_email"]?.stringValue.map { existing["user_email"]?.stringValue == $0 } ?? false)
            }
        }
        let fresh = members.filter { !present($0) }
        if fresh.isEmpty, let first = members.first {
            let existing = "[" + listed.map { $0.serialized() }.joined(separator: ", ") + "]"
            let message =
                members.count == 1
                ? "User already in team. Member: user_id=\(first["user_id"]?.stringValue ?? "None"), "
                    + "user_email=\(first["user_email"]?.stringValue ?? "None"). Existing members=\(existing)"
                : "All users are already in team. Existing members=\(existing)"
            throw ProxyError(
                OpenAIError(status: 400, message: message, type: "team_member_already_in_team", param: "member")
            )
        }
        return try await addMembers(fresh, to: team)
    }

    /// Adds members to a team: each gets a user row if it has none (`internal_user`, LiteLLM's default) and the team
    /// in its `teams`. A member already in the team is a 400 and nothing is added.
    public func addMembers(_ members: [JSONObject], to team: JSONObject) async throws(ProxyError)
        -> (team: JSONObject, users: [JSONObject])
    {
        var team = team
        let teamID = team["team_id"]?.stringValue ?? ""
        var listed = team["members_with_roles"]?.arrayValue ?? []
        var users: [JSONObject] = []
        for var member in members {
            let existing = try await memberUser(member)
            var user = existing ?? AccountService.blank(AccountSchema.users, key: UUID().uuidString.lowercased())
            if existing == nil {
                if let id = member["user_id"]?.stringValue { user["user_id"] = .string(id) }
                user["user_email"] = member["user_email"] ?? .null
                user["user_role"] = .string(UserRole.internalUser.rawValue)
            }
            let userID = user["user_id"]?.stringValue ?? ""
            member["user_id"] = .string(userID)
            if listed.contains(where: { $0["user_id"]?.stringValue == userID }) {
                throw AccountService.badRequest(
                    "User=\(userID) already in team. Existing members=\(AccountService.memberIDs(team))",
                    param: "member"
                )
            }
            listed.append(.object(member))
            var teams = user["teams"]?.arrayValue ?? []
            if !teams.contains(.string(teamID)) { teams.append(.string(teamID)) }
            user["teams"] = .array(teams)
            try await save(AccountSchema.users, user)
            users.append(user)
        }
        team["members_with_roles"] = .array(listed)
        team["updated_at"] = .string(VirtualKey.iso(Date()))
        try await save(AccountSchema.teams, team)
        return (team, users)
    }

    /// The user a member names: by `user_id`, else the first with its `user_email`.
    func memberUser(_ member: JSONObject) async throws(ProxyError) -> JSONObject? {
        let table = AccountSchema.users
        if let id = member["user_id"]?.stringValue {
            return try await storeCall { try await self.store.row(table, key: id) }.map(table.json)
        }
        guard let email = member["user_email"]?.stringValue else { return nil }
        return try await storeCall { try await self.store.rows(table, where: "user_email", equals: email, limit: 1) }
            .first.map(table.json)
    }

    /// Removes a member (by `user_id` or `user_email`): 400 when it is not in the team. Answers the team and the
    /// removed members' user ids.
    public func deleteMember(_ body: JSONObject) async throws(ProxyError) -> (JSONObject, [String]) {
        guard let id = body["team_id"]?.stringValue else {
            throw AccountService.badRequest("No team id passed in", param: "team_id")
        }
        guard let row = try await storeCall({ try await self.store.row(AccountSchema.teams, key: id) }) else {
            throw AccountService.badRequest("Team id=\(id) does not exist in db", param: "team_id")
        }
        var team = AccountSchema.teams.json(row)
        let userID = body["user_id"]?.stringValue, email = body["user_email"]?.stringValue
        guard userID != nil || email != nil else {
            throw AccountService.badRequest("user_id or user_email is required", param: "user_id")
        }
        let listed = team["members_with_roles"]?.arrayValue ?? []
        let kept = listed.filter { member in
            !((userID != nil && member["user_id"]?.stringValue == userID)
                || (email != nil && member["user_email"]?.stringValue == email))
        }
        guard kept.count < listed.count else {
            throw AccountService.badRequest("User not found in team", param: "user_id")
        }
        team["members_with_roles"] = .array(kept)
        team["updated_at"] = .string(VirtualKey.iso(Date()))
        try await save(AccountSchema.teams, team)
        for member in listed where !kept.contains(member) {
            guard let removed = member["user_id"]?.stringValue,
                var user = try await storeCall({ try await self.store.row(AccountSchema.users, key: removed) })
                    .map(AccountSchema.users.json)
            else { continue }
            user["teams"] = .array((user["teams"]?.arrayValue ?? []).filter { $0.stringValue != id })
            try await save(AccountSchema.users, user)
        }
        let removed = listed.filter { !kept.contains($0) }.compactMap { $0["user_id"]?.stringValue }
        return (team, removed)
    }

    /// Teams, optionally only those a user is a member of.
    public func teams(member: String? = nil) async throws(ProxyError) -> [JSONObject] {
        let rows = try await storeCall {
            try await self.store.rows(AccountSchema.teams, where: nil, equals: nil, limit: 10_000)
        }
        let teams = rows.map(AccountSchema.teams.json)
        guard let member else { return teams }
        return teams.filter { AccountService.memberIDs($0).contains(member) }
    }

    /// Whether a user is an admin of a team.
    public static func isTeamAdmin(_ user: String?, of team: JSONObject) -> Bool {
        guard let user else { return false }
        return (team["members_with_roles"]?.arrayValue ?? []).contains {
            $0["user_id"]?.stringValue == user && $0["role"]?.stringValue == "admin"
        }
    }
}
