import Foundation
import Hummingbird
import Wire

/// The Teams page (the teams the session's scope sees, 50 a page) and a team's page: its settings, members, keys
/// (`sk-...last4` only) and the last 30 days of its usage from `LiteLLM_DailyTeamSpend`. Read-only: teams are
/// changed through `/team/*`.
extension AdminUI {
    struct TeamsPage {
        var teams: [UITeamRow]
        var empty: Bool
        var total: String
        var pager: UIPager
        var noStore: Bool
        /// The list is the session's own teams (a note says so).
        var ownOnly: Bool
    }

    struct TeamPage {
        struct Field {
            var label: String
            var value: String
        }

        struct Member {
            var userID: String
            var email: String
            var role: String
            var isYou: Bool
        }

        var team: UITeamRow
        var fields: [Field]
        var members: [Member]
        var noMembers: Bool
        var keys: [UIKeyRow]
        var noKeys: Bool
        var keyCount: String
        var start: String
        var end: String
        var chart: UIChart
        var days: [UsagePage.Row]
        var models: [UsagePage.Row]
        var hasModels: Bool
        var usageTotal: UsagePage.Row
    }

    static let teamsPageSize = 50
    /// The days a team's page and the Tags page sum (today, UTC, and the 29 before).
    static let accountUsageDays = 30

    func teamsPage(_ request: Request, id: String, session: UISession) async throws -> Response {
        let scope = UIScope(session)
        let page = Paging.page(UIForm.query(request)["page"])
        var teams: [JSONObject] = []
        if let accounts = services.keys?.accounts {
            teams = try await accountRead { try await scope.teams(accounts) }
        }
        func order(_ team: JSONObject) -> (String, String) {
            let id = team["team_id"]?.stringValue ?? ""
            let alias = team["team_alias"]?.stringValue ?? ""
            return ((alias.isEmpty ? id : alias).lowercased(), id)
        }
        teams.sort { order($0) < order($1) }
        let size = AdminUI.teamsPageSize
        let shown = teams.dropFirst((page - 1) * size).prefix(size).map { UITeamRow($0) }
        let view = TeamsPage(
            teams: shown,
            empty: shown.isEmpty,
            total: UIFormat.count(teams.count),
            pager: UIPager(page: page, total: teams.count, size: size) { "/ui/teams?page=\($0)" },
            noStore: services.keys?.accounts == nil,
            ownOnly: !scope.seesEverything
        )
        return render("teams", title: "Teams", page: view, session: (id, session, "/ui/teams"))
    }

    /// A team's page; a team outside the session's scope is the same 404 as one that does not exist, so its id's
    /// existence is not told either.
    func teamPage(_ teamID: String, id: String, session: UISession) async throws -> Response {
        let scope = UIScope(session)
        let missing = UIFailure(status: 404, message: "No team with id \(teamID).")
        guard let keyService = services.keys, let accounts = keyService.accounts else {
            throw UIFailure(status: 404, message: "Teams need a database; none is connected.")
        }
        var found: JSONObject?
        do {
            found = try await accounts.team(teamID)
        } catch let error where error.status == 404 {
            found = nil
        } catch {
            throw AdminUI.accountsUnavailable(error)
        }
        guard let team = found, scope.sees(team: team) else { throw missing }
        let keys = try await accountRead { try await keyService.keys(of: .team(teamID)) }
        let (start, end) = AdminUI.lastDays()
        let table = DailySpend.tables[AccountService.ActivityEntity.team.rawValue]
        let (from, to) = (UIFormat.inputDate(start), UIFormat.inputDate(end))
        let rows = try await accountRead { try await accounts.rollup(table, entity: teamID, from: from, to: to) }
        var report = UIUsageReport(start: start, end: end)
        for row in rows { report.add(rollup: row) }
        let members = (team["members_with_roles"]?.arrayValue ?? []).map { member in
            let user = member["user_id"]?.stringValue ?? ""
            return TeamPage.Member(
                userID: user,
                email: member["user_email"]?.stringValue ?? "",
                role: member["role"]?.stringValue ?? "user",
                isYou: !user.isEmpty && user == scope.userID
            )
        }
        let row = UITeamRow(team)
        let view = TeamPage(
            team: row,
            fields: AdminUI.teamFields(team, row: row, masterKey: settings.masterKey),
            members: members,
            noMembers: members.isEmpty,
            keys: keys.map { UIKeyRow($0) },
            noKeys: keys.isEmpty,
            keyCount: UIFormat.count(keys.count),
            start: UIFormat.inputDate(start),
            end: UIFormat.inputDate(end),
            chart: UIChart(report, metric: "Spend", value: { $0.spend }, format: UIFormat.dollars),
            days: report.days.reversed().map { AdminUI.usageRow($0.day, $0.totals) },
            models: report.models.map { AdminUI.usageRow($0.name, $0.totals) },
            hasModels: !report.models.isEmpty,
            usageTotal: AdminUI.usageRow("Total", report.total)
        )
        return render("team", title: "Team \(row.name)", page: view, session: (id, session, "/ui/teams"))
    }

    /// The settings list of a team's page (metadata with credential fields masked, as stored bodies are).
    static func teamFields(_ team: JSONObject, row: UITeamRow, masterKey: String?) -> [TeamPage.Field] {
        func text(_ name: String) -> String {
            guard let value = team[name]?.stringValue, !value.isEmpty else { return "–" }
            return value
        }
        func time(_ name: String) -> String {
            UIFormat.time(team[name]?.stringValue.flatMap(TimestampText.parse))
        }
        func number(_ name: String) -> String { team[name]?.intValue.map { UIFormat.count($0) } ?? "no limit" }
        var metadata = "–"
        if let value = team["metadata"], value.objectValue?.isEmpty == false {
            let shown = UIFormat.redact(value, masterKey: masterKey).serialized()
            metadata = shown.count > 1000 ? String(shown.prefix(1000)) + "…" : shown
        }
        let fields: [(String, String)] = [
            ("Team ID", row.id), ("Alias", text("team_alias")), ("Organization", text("organization_id")),
            ("Models", row.models), ("Spend", row.spend), ("Max budget", row.budget),
            ("Budget period", row.budgetPeriod.isEmpty ? "none" : row.budgetPeriod),
            ("TPM limit", number("tpm_limit")), ("RPM limit", number("rpm_limit")),
            ("Max parallel requests", number("max_parallel_requests")),
            ("State", row.blocked ? "blocked" : "active"), ("Created (UTC)", time("created_at")),
            ("Updated (UTC)", time("updated_at")), ("Metadata", metadata),
        ]
        return fields.map { TeamPage.Field(label: $0.0, value: $0.1) }
    }

    /// Today (UTC) and the `accountUsageDays - 1` days before it, as the Usage page counts days.
    static func lastDays(now: Date = Date()) -> (start: Date, end: Date) {
        let end = TimestampText.parse(UIFormat.inputDate(now)) ?? now
        return (end.addingTimeInterval(-Double(accountUsageDays - 1) * 86400), end)
    }

    /// A read for the account pages: a refusal the service explains (a 4xx, such as a range with too many rows)
    /// shows as it is; a database failure is a 503 page that names no connection detail.
    func accountRead<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ProxyError where error.status < 500 {
            throw error
        } catch {
            throw AdminUI.accountsUnavailable(error)
        }
    }

    static func accountsUnavailable(_ error: any Error) -> UIFailure {
        UIFailure(
            status: 503,
            message: "The account database is unavailable (\(String(describing: type(of: error)))). Try again shortly."
        )
    }
}
