import Hummingbird
import Wire

/// `/user/daily/activity`, `/team/daily/activity`, `/tag/daily/activity` (LiteLLM's Usage pages' reads) and
/// `/global/spend/teams` and `/global/spend/report`. Admins and
/// admin viewers see every entity; another key sees its own user's, or its own team's.
struct DailyActivityController {
    let keys: KeyService?

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        group.get("/global/spend/report") { request, context in
            let query = HTTPAnswer.query(request)
            return await ManagementCall.runAccounts(request, context, keys: keys, adminOnly: false) {
                accounts,
                _,
                caller,
                _ throws(ProxyError) in
                guard caller.isAdminViewer else { throw caller.adminOnly("/global/spend/report") }
                guard let start = query["start_date"], let end = query["end_date"] else {
                    throw AccountService.badRequest("start_date and end_date are required", param: "start_date")
                }
                // Only LiteLLM's default grouping: by team (by customer or key would need rollups not kept here).
                guard (query["group_by"] ?? "team") == "team" else {
                    throw AccountService.badRequest("group_by must be team", param: "group_by")
                }
                return try await accounts.spendReport(start: start, end: end, team: query["team_id"])
            }
        }
        group.get("/global/spend/teams") { request, context in
            await ManagementCall.runAccounts(request, context, keys: keys, adminOnly: false) {
                accounts,
                _,
                caller,
                _ throws(ProxyError) in
                guard caller.isAdminViewer else { throw caller.adminOnly("/global/spend/teams") }
                return try await accounts.globalTeamSpend()
            }
        }
        let routes: [(String, AccountService.ActivityEntity, String)] = [
            ("/user/daily/activity", .user, "user_id"), ("/team/daily/activity", .team, "team_ids"),
            ("/tag/daily/activity", .tag, "tags"),
        ]
        for (path, entity, filter) in routes {
            group.get(RouterPath(path)) { request, context in
                let query = HTTPAnswer.query(request)
                return await ManagementCall.runAccounts(request, context, keys: keys, adminOnly: false) {
                    accounts,
                    _,
                    caller,
                    _ throws(ProxyError) in
                    var ids = query[filter].map { $0.split(separator: ",").map(String.init) }
                    if !caller.isAdminViewer {
                        // Never `''`: that is the rollup of every request without a user (or team).
                        switch (entity, caller.userID, caller.teamID) {
                        case (.user, let user?, _): ids = [user]
                        case (.team, _, let team?): ids = [team]
                        default: throw caller.adminOnly(path)
                        }
                    }
                    return try await accounts.dailyActivity(
                        entity,
                        ids: ids,
                        start: query["start_date"],
                        end: query["end_date"],
                        page: Paging.page(query["page"]),
                        pageSize: Int(query["page_size"] ?? "") ?? 50
                    )
                }
            }
        }
    }
}
