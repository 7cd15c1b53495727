import Hummingbird
import Wire

/// `/team/*` in LiteLLM's shapes. Admins manage every team; a team's admins manage its members; a team's keys and
/// members read its info.
struct TeamController {
    let keys: KeyService?

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        group.post("/team/new") { request, context in
            await run(request, context, adminOnly: true) { accounts, _, _, body throws(ProxyError) in
                .object(try await accounts.newTeam(body))
            }
        }
        group.post("/team/update") { request, context in
            await run(request, context) { accounts, _, caller, body throws(ProxyError) in
                try await Self.requireTeamAdmin(caller, body["team_id"]?.stringValue, accounts)
                // A team's own admins rename and describe it; its models, budget, limits and block are the proxy's.
                if !caller.isAdmin,
                    let field = body.first(where: { !Self.teamAdminFields.contains($0.key) && !$0.value.isNull })?.key
                {
                    throw .forbidden("Only proxy admins may set \(field) on a team.", param: field)
                }
                return try await accounts.updateTeam(body)
            }
        }
        group.post("/team/delete") { request, context in
            await run(request, context, adminOnly: true) { accounts, keys, _, body throws(ProxyError) in
                let ids = try ManagementCall.ids(body, "team_ids")
                for id in ids { _ = try await accounts.team(id) }
                for id in ids { try await keys.deleteKeys(of: .team(id)) }
                return ["deleted_teams": .array(try await accounts.deleteTeams(body).map(JSON.string))]
            }
        }
        group.get("/team/info") { request, context in
            let id = HTTPAnswer.query(request)["team_id"]
            return await run(request, context) { accounts, keys, caller, _ throws(ProxyError) in
                guard let id = id ?? caller.teamID else {
                    throw ProxyError(
                        OpenAIError(status: 422, message: "Malformed request. No team id passed in.", type: "None")
                    )
                }
                let team = try await accounts.team(id)
                guard
                    caller.isAdminViewer || caller.teamID == id
                        || AccountService.memberIDs(team).contains(caller.userID ?? "\u{0}")
                else { throw Self.notTeamMember(id, caller) }
                return [
                    "team_id": .string(id), "team_info": .object(team),
                    "keys": .array(try await keys.keys(of: .team(id)).map(\.json)), "team_memberships": [],
                ]
            }
        }
        for path in ["/team/list", "/v2/team/list"] {
            group.get(RouterPath(path)) { request, context in
                let user = HTTPAnswer.query(request)["user_id"]
                return await run(request, context) { accounts, _, caller, _ throws(ProxyError) in
                    let member = caller.isAdminViewer ? user : (caller.userID ?? "\u{0}")
                    return .array(try await accounts.teams(member: member).map(JSON.object))
                }
            }
        }
        group.post("/team/member_add") { request, context in
            await run(request, context) { accounts, _, caller, body throws(ProxyError) in
                let id = body["team_id"]?.stringValue
                try await Self.requireTeamAdmin(caller, id, accounts)
                let team = try await accounts.team(id ?? "")
                let added = try await accounts.addNewMembers(try AccountService.members(body["member"]), to: team)
                var answer = added.team
                answer["updated_users"] = .array(added.users.map(JSON.object))
                answer["updated_team_memberships"] = []
                return .object(answer)
            }
        }
        group.post("/team/member_delete") { request, context in
            await run(request, context) { accounts, keys, caller, body throws(ProxyError) in
                try await Self.requireTeamAdmin(caller, body["team_id"]?.stringValue, accounts)
                let (team, removed) = try await accounts.deleteMember(body)
                // The removed members' keys on this team go with them, as in LiteLLM.
                let teamKeys = try await keys.keys(of: .team(team["team_id"]?.stringValue ?? ""))
                let gone = teamKeys.filter { key in key.userID.map(removed.contains) ?? false }.map(\.token)
                if !gone.isEmpty { _ = try await keys.delete(["keys": .array(gone.map(JSON.string))]) }
                return .object(team)
            }
        }
        for (path, blocked) in [("/team/block", true), ("/team/unblock", false)] {
            group.post(RouterPath(path)) { request, context in
                await run(request, context, adminOnly: true) { accounts, _, _, body throws(ProxyError) in
                    .object(try await accounts.setTeamBlocked(body, blocked: blocked))
                }
            }
        }
    }

    static let teamAdminFields: Set<String> = ["team_id", "team_alias", "metadata", "model_aliases"]

    /// LiteLLM's refusals of `/team/info` to a caller outside the team.
    static func notTeamMember(_ id: String, _ caller: Caller) -> ProxyError {
        if let user = caller.userID {
            return .forbidden("User=\(user) not authorized to access this team=\(id)", param: "team_id")
        }
        if let team = caller.teamID {
            return .forbidden("Team key for team=\(team) not authorized to access this team=\(id)", param: "team_id")
        }
        return .forbidden(
            "API key not authorized to access this team=\(id). No user_id or team_id associated with this key.",
            param: "team_id"
        )
    }

    /// Admins, and the team's own admins (members with role `admin`).
    static func requireTeamAdmin(_ caller: Caller, _ id: String?, _ accounts: AccountService) async throws(ProxyError) {
        if caller.isAdmin { return }
        guard let id else { throw AccountService.badRequest("No team id passed in", param: "team_id") }
        guard AccountService.isTeamAdmin(caller.userID, of: try await accounts.team(id)) else {
            throw .forbidden("Call not allowed. User not proxy admin OR team admin. team_id=\(id)", param: "team_id")
        }
    }

    func run(
        _ request: Request,
        _ context: ProxyRequestContext,
        adminOnly: Bool = false,
        _ operation: (AccountService, KeyService, Caller, JSONObject) async throws(ProxyError) -> JSON
    ) async -> Response {
        await ManagementCall.runAccounts(request, context, keys: keys, adminOnly: adminOnly, operation)
    }
}
