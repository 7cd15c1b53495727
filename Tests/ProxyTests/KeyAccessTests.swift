import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// What a virtual key may read about itself and the models (LiteLLM's info routes), in memory.
@Suite struct KeyAccessTests {
    static func post(_ proxy: ProxyRouterClient, _ path: String, _ body: String, key: String? = nil) async throws
        -> TestResponse
    {
        try await proxy.post(path, body, key: key)
    }

    static func get(_ proxy: ProxyRouterClient, _ path: String, key: String) async throws -> TestResponse {
        try await proxy.get(path, key: key)
    }

    static func newKey(_ proxy: ProxyRouterClient, _ body: String) async throws -> String {
        let made = try await post(proxy, "/key/generate", body)
        return try #require(made.json?["key"]?.stringValue, "\(made.text)")
    }

    /// Nulls are "not given"; the answer carries `updated_at`; a key reads its own info (by `?key=` or none), a
    /// missing key is a 404 and someone else's a 403.
    @Test func keyReadsItsOwnInfo() async throws {
        try await withProxyRouter { proxy in
            let made = try await Self.post(proxy, "/key/generate", #"{"metadata": null, "models": null}"#)
            #expect(made.status == 200, "\(made.text)")
            #expect(made.json?["updated_at"]?.stringValue?.hasSuffix("Z") == true, "\(made.text)")
            let key = try #require(made.json?["key"]?.stringValue)
            let other = try await Self.newKey(proxy, "{}")
            for path in ["/key/info?key=\(key)", "/key/info"] {
                let own = try await Self.get(proxy, path, key: key)
                #expect(
                    own.status == 200 && own.json?.value(at: "info.key_name") == made.json?["key_name"],
                    "\(own.text)"
                )
            }
            let missing = try await Self.get(proxy, "/key/info?key=sk-\(UUID().uuidString)", key: key)
            #expect(missing.status == 404 && missing.json?.value(at: "error.message") == "Key not found in database")
            let foreign = try await Self.get(proxy, "/key/info?key=\(other)", key: key)
            #expect(foreign.status == 403, "\(foreign.text)")
        }
    }

    /// An exhausted key still reads its info and models (LiteLLM checks budgets on model calls only).
    @Test func budgetIsCheckedOnModelCallsOnly() async throws {
        try await withProxyRouter { proxy in
            let key = try await Self.newKey(proxy, #"{"max_budget": 0.0000001, "spend": 1, "key_alias": "spent"}"#)
            #expect(try await Self.get(proxy, "/key/info", key: key).status == 200)
            #expect(try await Self.get(proxy, "/v1/models", key: key).status == 200)
            let chat = try await Self.post(
                proxy,
                "/chat/completions",
                #"{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}"#,
                key: key
            )
            #expect(chat.json?.value(at: "error.type") == "budget_exceeded", "\(chat.text)")
            let message = chat.json?.value(at: "error.message")?.stringValue ?? ""
            #expect(message.hasPrefix("Budget has been exceeded! Key=spent (sk-"), "\(message)")
        }
    }

    /// A restricted key lists only its models (its team's when it has none), never the others.
    @Test func modelListingsAreScopedToTheKey() async throws {
        try await withProxyRouter { proxy in
            let key = try await Self.newKey(proxy, #"{"models": ["gpt-4o"]}"#)
            let team = try await Self.post(proxy, "/team/new", #"{"team_alias": "scoped", "models": ["o4-mini"]}"#)
            let teamID = try #require(team.json?["team_id"]?.stringValue, "\(team.text)")
            let teamKey = try await Self.newKey(proxy, #"{"team_id": "\#(teamID)"}"#)
            for (caller, name) in [(key, "gpt-4o"), (teamKey, "o4-mini")] {
                let listed = try await Self.get(proxy, "/v1/models", key: caller)
                #expect(
                    listed.json?["data"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [name],
                    "\(listed.text)"
                )
                let info = try await Self.get(proxy, "/model/info", key: caller)
                let names = Set(info.json?["data"]?.arrayValue?.compactMap { $0["model_name"]?.stringValue } ?? [])
                #expect(names == [name], "\(info.text)")
                #expect(try await Self.get(proxy, "/v1/models/text-embedding-3-small", key: caller).status == 404)
                let groups = try await Self.get(proxy, "/model_group/info", key: caller)
                #expect(groups.json?.value(at: "data.0.model_group")?.stringValue == name, "\(groups.text)")
                #expect(
                    groups.json?["data"]?.arrayValue?.count == 1
                        && groups.json?.value(at: "data.0.providers") == ["azure"]
                )
            }
            let all = try await proxy.request(.get, "/v1/models", headers: proxy.auth)
            #expect((all.json?["data"]?.arrayValue?.count ?? 0) > 2)
            let groups = try await Self.get(proxy, "/models?only_model_access_groups=True", key: key)
            #expect(groups.json?["data"] == [], "\(groups.text)")
        }
    }
}
