import Foundation
import MockAzure
import TestSupport
import Testing
import Wire

@testable import Proxy

/// A virtual key's whole life through the proxy, on the embedded store.
@Suite struct VirtualKeyTests {
    static func chat(
        _ proxy: ProxyTestContext,
        key: String,
        model: String = "gpt-4o",
        prompt: String = "hello from a virtual key"
    ) async throws -> TestResponse {
        try await TestHTTP.request(
            .POST,
            "\(proxy.base)/chat/completions",
            headers: [("authorization", "Bearer \(key)")],
            body: (["model": .string(model), "messages": [["role": "user", "content": .string(prompt)]]] as JSON)
                .serialized()
        )
    }

    static func manage(_ proxy: ProxyTestContext, _ path: String, _ body: JSON, key: String? = nil) async throws
        -> TestResponse
    {
        try await TestHTTP.request(
            .POST,
            "\(proxy.base)\(path)",
            headers: [("authorization", "Bearer \(key ?? proxy.masterKey)")],
            body: body.serialized()
        )
    }

    /// An exhausted budget comes back when its `budget_duration` has passed.
    @Test func budgetDurationResetsTheSpend() async throws {
        try await withProxy { proxy in
            let generated = try await Self.manage(
                proxy,
                "/key/generate",
                ["max_budget": 0.000001, "budget_duration": "2s"]
            )
            let key = try #require(generated.json?["key"]?.stringValue)
            #expect(generated.json?["budget_reset_at"]?.stringValue != nil, "\(generated.text)")
            #expect(try await Self.chat(proxy, key: key).status == 200)
            let exhausted = try await Self.chat(proxy, key: key)
            #expect(
                exhausted.status == 422 && exhausted.json?.value(at: "error.type") == "budget_exceeded",
                "\(exhausted.text)"
            )
            try await Task.sleep(for: .milliseconds(2300))
            let reset = try await Self.chat(proxy, key: key)
            #expect(reset.status == 200, "the budget did not reset after budget_duration: \(reset.text)")
            let info = try await TestHTTP.request(.GET, "\(proxy.base)/key/info?key=\(key)", headers: proxy.auth)
            #expect((info.json?.value(at: "info.spend")?.doubleValue ?? 1) < 0.01)
        }
    }

    /// LiteLLM's UI and SDKs send `null` for fields they leave unset: a key is made, as with the fields absent.
    @Test func nullFieldsAreFieldsNotGiven() async throws {
        try await withProxy { proxy in
            let generated = try await Self.manage(
                proxy,
                "/key/generate",
                ["models": nil, "metadata": nil, "key_alias": nil, "max_budget": nil]
            )
            #expect(generated.status == 200, "\(generated.text)")
            let key = try #require(generated.json?["key"]?.stringValue)
            #expect(generated.json?["models"]?.arrayValue?.isEmpty == true)
            let updated = try await Self.manage(
                proxy,
                "/key/update",
                ["key": .string(key), "models": nil, "metadata": nil]
            )
            #expect(updated.status == 200, "\(updated.text)")
            #expect(try await Self.chat(proxy, key: key).status == 200)
        }
    }

    @Test func keyLifecycle() async throws {
        try await withProxy { proxy in
            let generated = try await Self.manage(
                proxy,
                "/key/generate",
                ["key_alias": "team-a", "models": ["gpt-4o"], "max_budget": 1.0, "metadata": ["owner": "a"]]
            )
            #expect(generated.status == 200, "\(generated.text)")
            let key = try #require(generated.json?["key"]?.stringValue)
            #expect(key.hasPrefix("sk-") && key.count >= 25)
            #expect(generated.json?["token"]?.stringValue == SecretHash.sha256Hex(key))
            #expect(generated.json?["key_name"]?.stringValue == "sk-..." + key.suffix(4))

            // Use it: allowed model works, another model is refused.
            #expect(try await Self.chat(proxy, key: key).status == 200)
            let other = try await Self.chat(proxy, key: key, model: "o4-mini")
            #expect(other.status == 403 && other.json?.value(at: "error.type") == "key_model_access_denied")

            // Info shows the spend, and never the key.
            var spend = 0.0
            _ = try await eventually {
                let info = try await TestHTTP.request(.GET, "\(proxy.base)/key/info?key=\(key)", headers: proxy.auth)
                #expect(!info.text.contains(key))
                spend = info.json?.value(at: "info.spend")?.doubleValue ?? 0
                return spend > 0
            }
            #expect(spend > 0, "key spend is updated in batches")
            let row = try #require(try await SpendLogTests.rows(proxy, "?api_key=\(key)").first)
            #expect(row.value(at: "metadata.user_api_key_alias") == "team-a")

            // A virtual key without a user may not make keys or read spend logs (LiteLLM's 401 for admin routes).
            #expect(try await Self.manage(proxy, "/key/generate", [:], key: key).status == 401)
            #expect(
                try await TestHTTP.request(
                    .GET,
                    "\(proxy.base)/spend/logs",
                    headers: [("authorization", "Bearer \(key)")]
                ).status == 401
            )

            // Budget exhausted.
            #expect(
                try await Self.manage(proxy, "/key/update", ["key": .string(key), "max_budget": 0.0000001]).status
                    == 200
            )
            let broke = try await Self.chat(proxy, key: key)
            #expect(broke.status == 422 && broke.json?.value(at: "error.type") == "budget_exceeded")
            #expect(
                try await Self.manage(proxy, "/key/update", ["key": .string(key), "max_budget": nil]).status == 200
            )

            // Blocked, then unblocked.
            #expect(try await Self.manage(proxy, "/key/block", ["key": .string(key)]).status == 200)
            #expect(try await Self.chat(proxy, key: key).status == 401)
            #expect(try await Self.manage(proxy, "/key/unblock", ["key": .string(key)]).status == 200)
            #expect(try await Self.chat(proxy, key: key).status == 200)

            // Regenerate: the old key stops, the new one works.
            let regenerated = try await Self.manage(proxy, "/key/regenerate", ["key": .string(key)])
            let fresh = try #require(regenerated.json?["key"]?.stringValue)
            #expect(fresh != key)
            #expect(try await Self.chat(proxy, key: key).status == 401)
            #expect(try await Self.chat(proxy, key: fresh).status == 200)

            let list = try await TestHTTP.request(.GET, "\(proxy.base)/key/list", headers: proxy.auth)
            #expect(list.json?["keys"]?.arrayValue?.contains(.string(SecretHash.sha256Hex(fresh))) == true)
            #expect(!list.text.contains(fresh))
            let far = try await TestHTTP.request(
                .GET,
                "\(proxy.base)/key/list?page=9223372036854775807&size=100",
                headers: proxy.auth
            )
            #expect(far.status == 200 && far.json?["keys"]?.arrayValue?.isEmpty == true, "\(far.text)")

            // Delete: 401 from then on.
            let deleted = try await Self.manage(proxy, "/key/delete", ["keys": [.string(fresh)]])
            #expect(deleted.json?["deleted_keys"] == [.string(SecretHash.sha256Hex(fresh))])
            #expect(try await Self.chat(proxy, key: fresh).status == 401)
        }
    }

    @Test func limitsAndExpiry() async throws {
        try await withProxy { proxy in
            let limited = try #require(
                try await Self.manage(proxy, "/key/generate", ["rpm_limit": 2]).json?["key"]?.stringValue
            )
            #expect(try await Self.chat(proxy, key: limited).status == 200)
            #expect(try await Self.chat(proxy, key: limited).status == 200)
            let third = try await Self.chat(proxy, key: limited)
            #expect(third.status == 429 && Int(third.header("retry-after") ?? "") != nil)

            let expired = try #require(
                try await Self.manage(proxy, "/key/generate", ["duration": "1s"]).json?["key"]?.stringValue
            )
            #expect(try await Self.chat(proxy, key: expired).status == 200)
            try await Task.sleep(for: .milliseconds(1100))
            let late = try await Self.chat(proxy, key: expired)
            #expect(
                late.status == 401
                    && late.json?.value(at: "error.message")?.stringValue?.contains("Expired Key") == true
            )

            let bad = try await Self.manage(proxy, "/key/generate", ["budget_duration": "often"])
            #expect(bad.status == 400 && bad.json?.value(at: "error.param") == "budget_duration")
            #expect(try await Self.manage(proxy, "/key/generate", [:], key: "sk-wrong-0000").status == 401)
        }
    }

    @Test func durations() {
        #expect(
            DurationText.seconds("30s") == 30 && DurationText.seconds("5m") == 300
                && DurationText.seconds("24h") == 86400
        )
        #expect(
            DurationText.seconds("30d") == 2_592_000 && DurationText.seconds("1mo") == 2_592_000
                && DurationText.seconds("x") == nil
        )
        #expect(
            DurationText.seconds("1e300d") == nil && DurationText.seconds("infs") == nil
                && DurationText.seconds("100w") == 60_480_000
        )
        let keys = Set((0 ..< 100).map { _ in VirtualKey.generateKey() })
        #expect(keys.count == 100 && keys.allSatisfy { $0.hasPrefix("sk-") && $0.count == 25 })
    }
}
