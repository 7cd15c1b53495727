import Foundation
import Wire

/// What a UI session may see of teams, users and tags, decided once from its role so every page applies the same
/// rule: `proxy_admin` and `proxy_admin_viewer` see everything; every other role sees its own user's row and the
/// teams it is a member of (as `/team/list` and `/user/info` answer a key of that user).
struct UIScope: Sendable, Equatable {
    /// Every team, user, key, log and tag.
    var seesEverything: Bool
    /// The session's `LiteLLM_UserTable` user: nil for the password login (which sees everything), and for an SSO
    /// session without a user row, which then sees nobody's rows.
    var userID: String?

    init(seesEverything: Bool, userID: String?) {
        self.seesEverything = seesEverything
        self.userID = userID
    }

    init(_ session: UISession) {
        self.init(seesEverything: AdminUI.seeingRoles.contains(session.role), userID: session.userID)
    }

    /// The user whose rows alone are shown; nil when everything is. Without a user it is a value no row holds —
    /// never `""`, which would match every row without a user.
    var ownUser: String? { seesEverything ? nil : userID ?? UIScope.nobody }

    /// Not NUL, which PostgreSQL refuses in text (the page would fail instead of listing nothing).
    static let nobody = "\u{1}no-user"

    func sees(team: JSONObject) -> Bool {
        if seesEverything { return true }
        guard let userID else { return false }
        return AccountService.memberIDs(team).contains(userID)
    }

    /// The teams this scope sees: all of them, or those whose members include its user.
    func teams(_ accounts: AccountService) async throws(ProxyError) -> [JSONObject] {
        if seesEverything { return try await accounts.teams() }
        guard let userID else { return [] }
        return try await accounts.teams(member: userID)
    }

    /// The users this scope sees: all of them (at most `limit`), or its own row (none without one).
    func users(_ accounts: AccountService, limit: Int) async throws(ProxyError) -> [JSONObject] {
        if seesEverything { return try await accounts.users(limit: limit) }
        guard let userID else { return [] }
        do {
            return [try await accounts.user(userID)]
        } catch let error where error.status == 404 {
            return []
        }
    }
}
