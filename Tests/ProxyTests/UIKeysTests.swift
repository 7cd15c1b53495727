import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The Keys page: create (shown once), use, block, unblock, delete — and CSRF on each form.
@Suite struct UIKeysTests {
    @Test func aKeyIsCreatedShownOnceUsedBlockedAndDeleted() async throws {
        try await withUI { proxy, browser in
            let alias = "<b>team</b> \"a\""
            let created = try await browser.submit(
                "/ui/keys",
                [
                    ("key_alias", alias), ("models", "gpt-4o"), ("max_budget", "5"), ("rpm_limit", "100"),
                    ("duration", "30d"),
                ]
            )
            #expect(created.status == 303 && created.location == "/ui/keys")
            let shown = try await browser.get("/ui/keys")
            let key = try #require(
                UIBrowser.attribute(in: shown.text, after: #"<code class="secret" id="new-key">"#).map {
                    String($0.prefix { $0 != "<" })
                }
            )
            #expect(key.hasPrefix("sk-") && key.count == 25)
            #expect(shown.text.contains("&lt;b&gt;team&lt;/b&gt; &quot;a&quot;") && !shown.text.contains("<b>team</b>"))
            for cell in ["sk-..." + key.suffix(4), "$5.0000", "100 RPM", "<td>gpt-4o</td>", "active"] {
                #expect(shown.text.contains(cell), "\(cell)")
            }
            let again = try await browser.get("/ui/keys")
            #expect(!again.text.contains(key), "the full key is shown once")
            #expect(again.text.contains("sk-..." + key.suffix(4)))

            // The key works, and its request shows up under its alias.
            let used = try await uiChat(proxy, model: "gpt-4o", prompt: "hello from a UI key", key: key)
            #expect(used.status == 200)
            let byAlias = try await browser.poll(
                "/ui/logs?key_alias=" + UIForm.pathSegment(alias),
                until: "Requests: 1"
            )
            #expect(byAlias.text.contains("&lt;b&gt;team&lt;/b&gt;"))

            let token = SecretHash.sha256Hex(key)
            #expect(try await browser.submit("/ui/keys/block", [("token", token)]).status == 303)
            #expect(try await browser.get("/ui/keys").text.contains("Key sk-...\(key.suffix(4)) blocked."))
            #expect(try await uiChat(proxy, model: "gpt-4o", key: key).status == 401)
            #expect(try await browser.submit("/ui/keys/unblock", [("token", token)]).status == 303)
            #expect(try await uiChat(proxy, model: "gpt-4o", key: key).status == 200)
            #expect(try await browser.submit("/ui/keys/delete", [("token", token)]).status == 303)
            let after = try await browser.get("/ui/keys")
            #expect(after.text.contains("Key deleted.") && !after.text.contains(token))
            #expect(try await uiChat(proxy, model: "gpt-4o", key: key).status == 401)

            // Each change is in the audit log, made by the signed-in user, without the key.
            let audit = try await browser.get("/ui/audit?table_name=LiteLLM_VerificationToken")
            for action in ["created", "blocked", "unblocked", "deleted"] {
                #expect(audit.text.contains(#"<span class="status">\#(action)</span>"#), "\(action)")
            }
            #expect(audit.text.contains("Changes: 4") && audit.text.contains("<td>admin</td>"), "\(audit.text)")
            #expect(!audit.text.contains(key) && !audit.text.contains("<b>team</b>"))
        }
    }

    @Test func formsWithoutTheSessionsTokenChangeNothing() async throws {
        try await withUIInMemory { proxy, browser in
            let generated = try await proxy.gateway.keys!.generate(["key_alias": "kept"])
            let token = try #require(generated["token"]?.stringValue)
            for token in [nil, "", "forged-token", UISessionStore.randomToken()] as [String?] {
                var fields = [("key_alias", "csrf-victim")]
                if let token { fields.append(("csrf_token", token)) }
                let page = try await browser.post("/ui/keys", fields)
                #expect(page.status == 403 && page.text.contains("CSRF"))
            }
            for action in ["block", "delete"] {
                #expect(
                    try await browser.post("/ui/keys/\(action)", [("token", token), ("csrf_token", "nope")]).status
                        == 403
                )
            }
            #expect(try await proxy.gateway.keys!.store.countKeys() == 1)
            #expect(try await proxy.gateway.keys!.store.key(token: token)?.blocked == false)
            // Another session's token does not work either.
            let other = browser.newSession()
            try await other.login()
            let otherToken = try #require(try await other.get("/ui/keys").csrf)
            #expect(
                try await browser.post("/ui/keys/delete", [("token", token), ("csrf_token", otherToken)]).status == 403
            )
            #expect(try await proxy.gateway.keys!.store.countKeys() == 1)
        }
    }

    @Test func badFieldsAreExplained() async throws {
        try await withUIInMemory { proxy, browser in
            let page = try await browser.submit("/ui/keys", [("max_budget", "lots")])
            #expect(page.status == 400 && page.text.contains("max_budget must be a number"))
            let duration = try await browser.submit("/ui/keys", [("duration", "forever")])
            #expect(duration.status == 400 && duration.text.contains("duration must look like"))
            #expect(try await browser.submit("/ui/keys/block", [("token", "sk-not-a-hash")]).status == 400)
            #expect(try await proxy.gateway.keys!.store.countKeys() == 0)
        }
    }
}
