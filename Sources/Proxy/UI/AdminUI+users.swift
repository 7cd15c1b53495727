import Foundation
import Hummingbird
import Wire

/// The Users page: the `LiteLLM_UserTable` rows the session's scope sees (every user, 50 a page, or its own row),
/// with their teams, spend, budget and number of keys. Read-only: users are changed through `/user/*`.
extension AdminUI {
    struct UsersPage {
        struct Team {
            var href: String
            var label: String
            /// The viewer may open the team's page (else its name is plain text).
            var linked: Bool
        }

        struct Row {
            var userID: String
            var email: String
            var role: String
            var teams: [Team]
            var noTeams: Bool
            var spend: String
            var budget: String
            var budgetPeriod: String
            var keyCount: String
            var isYou: Bool
        }

        var users: [Row]
        var empty: Bool
        var total: String
        var pager: UIPager
        var noStore: Bool
        var ownOnly: Bool
    }

    static let usersPageSize = 50
    /// The most users listed (as `/user/list` reads them).
    static let usersReadLimit = 10_000

    func usersPage(_ request: Request, id: String, session: UISession) async throws -> Response {
        let scope = UIScope(session)
        let page = Paging.page(UIForm.query(request)["page"])
        var users: [JSONObject] = []
        var rows: [UsersPage.Row] = []
        if let keyService = services.keys, let accounts = keyService.accounts {
            users = try await accountRead { try await scope.users(accounts, limit: AdminUI.usersReadLimit) }
            let shown = users.dropFirst((page - 1) * AdminUI.usersPageSize).prefix(AdminUI.usersPageSize)
            // Team names for the teams column: the teams the viewer sees are links, the others plain ids.
            var aliases: [String: String] = [:]
            for team in try await accountRead({ try await scope.teams(accounts) }) {
                guard let teamID = team["team_id"]?.stringValue else { continue }
                let alias = team["team_alias"]?.stringValue ?? ""
                aliases[teamID] = alias.isEmpty ? teamID : alias
            }
            for user in shown {
                let userID = user["user_id"]?.stringValue ?? ""
                // One indexed count per shown user (at most a page of them).
                let keyCount = try await accountRead { try await keyService.store.countKeys(owner: .user(userID)) }
                let teams = UITeamRow.strings(user["teams"]).map { teamID in
                    UsersPage.Team(
                        href: "/ui/teams/" + UIForm.pathSegment(teamID),
                        label: aliases[teamID] ?? teamID,
                        linked: aliases[teamID] != nil
                    )
                }
                rows.append(
                    UsersPage.Row(
                        userID: userID,
                        email: user["user_email"]?.stringValue ?? "",
                        role: user["user_role"]?.stringValue ?? "",
                        teams: teams,
                        noTeams: teams.isEmpty,
                        spend: UIFormat.dollars(user["spend"]?.doubleValue ?? 0),
                        budget: user["max_budget"]?.doubleValue.map(UIFormat.dollars) ?? "no limit",
                        budgetPeriod: UITeamRow.budgetPeriod(user),
                        keyCount: UIFormat.count(keyCount),
                        isYou: !userID.isEmpty && userID == scope.userID
                    )
                )
            }
        }
        let view = UsersPage(
            users: rows,
            empty: rows.isEmpty,
            total: UIFormat.count(users.count),
            pager: UIPager(page: page, total: users.count, size: AdminUI.usersPageSize) { "/ui/users?page=\($0)" },
            noStore: services.keys?.accounts == nil,
            ownOnly: !scope.seesEverything
        )
        return render("users", title: "Users", page: view, session: (id, session, "/ui/users"))
    }
}
