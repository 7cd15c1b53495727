import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// `/team/*` through the router in memory: LiteLLM's shapes and refusals, and what a team does to its keys.
@Suite struct TeamRouteTests {
    typealias Call = KeyAccessTests

    static let chat = #"{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}"#

    @Test func membersJoinOnceAndLeaveOnce() async throws {
        try await withProxyRouter { proxy in
            let made = try await Call.post(
                proxy,
                "/team/new",
                #"{"team_id": "t1", "team_alias": "one", "members_with_roles": [{"role": "admin", "user_id": "ann"}]}"#
            )
            #expect(made.status == 200 && made.json?.value(at: "members_with_roles.0.user_id") == "ann", "\(made.text)")
            #expect(try await Call.post(proxy, "/team/new", #"{"team_id": "t1"}"#).status == 400)
            #expect(try await Call.post(proxy, "/team/new", #"{"team_id": "litellm-dashboard"}"#).status == 400)
            let add = #"{"team_id": "t1", "member": [{"role": "user", "user_id": "bob@example.com"}]}"#
            let added = try await Call.post(proxy, "/team/member_add", add)
            #expect(added.json?["members_with_roles"]?.arrayValue?.count == 2, "\(added.text)")
            #expect(added.json?.value(at: "updated_users.0.teams") == ["t1"], "\(added.text)")
            let again = try await Call.post(proxy, "/team/member_add", add)
            #expect(again.status == 400 && again.json?.value(at: "error.type") == "team_member_already_in_team")
            let remove = #"{"team_id": "t1", "user_id": "bob@example.com"}"#
            let removed = try await Call.post(proxy, "/team/member_delete", remove)
            #expect(removed.json?["members_with_roles"]?.arrayValue?.count == 1, "\(removed.text)")
            let twice = try await Call.post(proxy, "/team/member_delete", remove)
            #expect(twice.status == 400 && twice.json?.value(at: "error.message") == "User not found in team")
            let user = try await proxy.request(.get, "/user/info?user_id=bob@example.com", headers: proxy.auth)
            #expect(user.json?.value(at: "user_info.teams") == [], "\(user.text)")
            let updated = try await Call.post(proxy, "/team/update", #"{"team_id": "t1", "team_alias": "uno"}"#)
            #expect(updated.json?.value(at: "data.team_alias") == "uno", "\(updated.text)")
            let keys = Set(updated.json?["data"]?.objectValue?.map(\.key) ?? [])
            #expect(keys == Set(made.json?.objectValue?.map(\.key) ?? []), "update and new answer the same fields")
            let missing = try await proxy.request(.get, "/team/info?team_id=nope", headers: proxy.auth)
            #expect(missing.status == 404)
        }
    }

    /// A team's key reads the team; an unrelated key does not; block, models and budget reach the team's keys.
    @Test func teamGovernsItsKeys() async throws {
        try await withProxyRouter { proxy in
            _ = try await Call.post(proxy, "/team/new", #"{"team_id": "t2", "models": ["o4-mini"], "max_budget": 0}"#)
            let teamKey = try await Call.newKey(proxy, #"{"team_id": "t2"}"#)
            let loner = try await Call.newKey(proxy, "{}")
            let info = try await Call.get(proxy, "/team/info?team_id=t2", key: teamKey)
            #expect(info.status == 200 && info.json?.value(at: "keys.0.team_id") == "t2", "\(info.text)")
            let refused = try await Call.get(proxy, "/team/info?team_id=t2", key: loner)
            #expect(refused.status == 403, "\(refused.text)")
            let denied = try await Call.post(proxy, "/chat/completions", Self.chat, key: teamKey)
            #expect(denied.json?.value(at: "error.type") == "team_model_access_denied", "\(denied.text)")
            let spent = try await Call.post(
                proxy,
                "/chat/completions",
                Self.chat.replacingOccurrences(of: "gpt-4o", with: "o4-mini"),
                key: teamKey
            )
            #expect(
                spent.json?.value(at: "error.message")?.stringValue?.hasPrefix("Budget has been exceeded! Team=t2")
                    == true,
                "\(spent.text)"
            )
            _ = try await Call.post(proxy, "/team/block", #"{"team_id": "t2"}"#)
            let blocked = try await Call.post(proxy, "/chat/completions", Self.chat, key: teamKey)
            #expect(
                blocked.status == 401
                    && blocked.json?.value(at: "error.message")?.stringValue?.contains("Team=t2 is blocked") == true,
                "\(blocked.text)"
            )
            let deleted = try await Call.post(proxy, "/team/delete", #"{"team_ids": ["t2"]}"#)
            #expect(deleted.json?["deleted_teams"] == ["t2"], "\(deleted.text)")
            #expect(try await Call.get(proxy, "/key/info", key: teamKey).status == 401, "the team's keys went with it")
        }
    }

    /// A team's `model_aliases` name model groups for its keys (kept in LiteLLM's model table, the team's `model_id`).
    @Test func teamAliasesNameModelGroups() async throws {
        try await withProxyRouter { proxy in
            let team = try await Call.post(
                proxy,
                "/team/new",
                #"{"team_id": "t5", "model_aliases": {"cheap": "gpt-4o"}}"#
            )
            let modelID = try #require(team.json?["model_id"]?.intValue, "\(team.text)")
            let row = try await proxy.gateway.keys?.accounts?.store.row(AccountSchema.models, key: String(modelID))
            #expect(
                row?["aliases"].flatMap { try? JSON.parse($0) } == ["cheap": "gpt-4o"],
                "\(String(describing: row))"
            )
            // A key of the team limited to another model: the alias resolves to gpt-4o, which the key may not use
            // (without the alias "cheap" is no model at all: 400).
            let key = try await Call.newKey(proxy, #"{"team_id": "t5", "models": ["o4-mini"]}"#)
            let chat = #"{"model": "cheap", "messages": [{"role": "user", "content": "hi"}]}"#
            let denied = try await Call.post(proxy, "/chat/completions", chat, key: key)
            #expect(
                denied.status == 403 && denied.json?.value(at: "error.type") == "key_model_access_denied",
                "\(denied.text)"
            )
            let loner = try await Call.newKey(proxy, #"{"models": ["o4-mini"]}"#)
            #expect(try await Call.post(proxy, "/chat/completions", chat, key: loner).status == 400)
        }
    }

    /// Admin-only routes refuse other keys with LiteLLM's 401; a team's admin manages its members.
    @Test func rolesDecideWhoManages() async throws {
        try await withProxyRouter { proxy in
            let loner = try await Call.newKey(proxy, "{}")
            let refused = try await Call.post(proxy, "/team/new", "{}", key: loner)
            let message = refused.json?.value(at: "error.message")?.stringValue ?? ""
            #expect(refused.status == 401 && message.contains("Route=/team/new. Your role=unknown"), "\(refused.text)")
            let admin = try await Call.post(proxy, "/user/new", #"{"user_id": "lead"}"#)
            let leadKey = try #require(admin.json?["key"]?.stringValue, "\(admin.text)")
            _ = try await Call.post(
                proxy,
                "/team/new",
                #"{"team_id": "t3", "members_with_roles": [{"role": "admin", "user_id": "lead"}]}"#
            )
            _ = try await Call.post(proxy, "/team/new", #"{"team_id": "t4"}"#)
            let add = #"{"team_id": "TEAM", "member": {"role": "user", "user_id": "new-hire"}}"#
            let own = try await Call.post(
                proxy,
                "/team/member_add",
                add.replacingOccurrences(of: "TEAM", with: "t3"),
                key: leadKey
            )
            #expect(own.status == 200, "\(own.text)")
            let foreign = try await Call.post(
                proxy,
                "/team/member_add",
                add.replacingOccurrences(of: "TEAM", with: "t4"),
                key: leadKey
            )
            #expect(foreign.status == 403, "\(foreign.text)")
            let renamed = try await Call.post(
                proxy,
                "/team/update",
                #"{"team_id": "t3", "team_alias": "crew"}"#,
                key: leadKey
            )
            #expect(renamed.status == 200, "\(renamed.text)")
            for field in [#""models": ["all-proxy-models"]"#, #""max_budget": 1e9"#, #""blocked": false"#] {
                let widened = try await Call.post(proxy, "/team/update", #"{"team_id": "t3", \#(field)}"#, key: leadKey)
                #expect(widened.status == 403, "\(field): \(widened.text)")
            }
            let teams = try await Call.get(proxy, "/team/list", key: leadKey)
            #expect(teams.json?.arrayValue?.compactMap { $0["team_id"]?.stringValue } == ["t3"], "\(teams.text)")
        }
    }
}
