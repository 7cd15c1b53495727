import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// A key store on SQLite whose lookups fail while it is "down", to play a key database outage.
actor FlakyKeyStore: KeyStore {
    let inner: SQLiteStore
    var down = false

    init(path: String) { inner = SQLiteStore(path: path) }
    func setDown(_ value: Bool) { down = value }
    func prepareKeys() async throws { try await inner.prepareKeys() }
    func insertKey(_ key: VirtualKey) async throws { try await inner.insertKey(key) }
    func key(token: String) async throws -> VirtualKey? {
        if down { throw CancellationError() }
        return try await inner.key(token: token)
    }
    func replaceKey(_ key: VirtualKey) async throws { try await inner.replaceKey(key) }
    func deleteKeys(tokens: [String]) async throws -> [String] { try await inner.deleteKeys(tokens: tokens) }
    func listKeys(owner: KeyOwner?, offset: Int, limit: Int) async throws -> [VirtualKey] {
        try await inner.listKeys(owner: owner, offset: offset, limit: limit)
    }
    func countKeys(owner: KeyOwner?) async throws -> Int { try await inner.countKeys(owner: owner) }
    func addKeySpend(_ increments: [String: Double]) async throws { try await inner.addKeySpend(increments) }
}

/// `general_settings.allow_requests_on_db_unavailable`, as LiteLLM has it (user_api_key_auth.py,
/// auth_exception_handler.py): while the key database is unreachable, a key that is not cached gets LiteLLM's 503
/// `no_db_connection` when the flag is false, and is let through (no key limits, its row flagged) when it is true.
/// Keys already cached keep their limits and refusals either way.
@Suite struct KeyDBUnavailableTests {
    static func key(_ plain: String, rpm: Int? = nil, blocked: Bool = false) -> VirtualKey {
        VirtualKey(
            token: SecretHash.sha256Hex(plain),
            keyName: "sk-..." + plain.suffix(4),
            rpmLimit: rpm,
            blocked: blocked
        )
    }

    static func refusal(_ service: KeyService, _ key: String) async -> ProxyError? {
        do {
            _ = try await service.caller(forKey: key)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [false, true]) func unseenKeysWhileTheKeyDatabaseIsDown(allow: Bool) async throws {
        let folder = try TestPaths.temporaryDirectory("keys-down")
        let store = FlakyKeyStore(path: folder.appendingPathComponent("keys.sqlite").path)
        try await store.prepareKeys()
        let limited = "sk-limited-" + UUID().uuidString, blocked = "sk-blocked-" + UUID().uuidString,
            unseen = "sk-unseen-" + UUID().uuidString
        try await store.insertKey(Self.key(limited, rpm: 1))
        try await store.insertKey(Self.key(blocked, blocked: true))
        try await store.insertKey(Self.key(unseen))
        // A TTL this short makes every lookup ask the database; the cached records answer only when it fails.
        let service = KeyService(store: store, cacheTTL: .milliseconds(1), allowRequestsOnDBUnavailable: allow)
        let caller = try await service.caller(forKey: limited)
        try service.admit(caller)
        #expect(await Self.refusal(service, blocked)?.status == 401)

        await store.setDown(true)
        try await Task.sleep(for: .milliseconds(5))
        // Cached keys: still themselves, limits and refusals included.
        let cached = try await service.caller(forKey: limited)
        #expect(cached == caller && !cached.dbUnavailableFallback)
        #expect(throws: ProxyError.self) { try service.admit(cached) }
        #expect(await Self.refusal(service, blocked)?.status == 401)

        for presented in [unseen, "sk-not-a-key-at-all"] {
            let refusal = await Self.refusal(service, presented)
            if allow {
                #expect(refusal == nil, "\(String(describing: refusal))")
                let fallback = try await service.caller(forKey: presented)
                #expect(fallback.dbUnavailableFallback && fallback.keyHash == SecretHash.sha256Hex(presented))
                #expect(fallback.mayUse(modelGroup: "any-model"), "LiteLLM's fallback identity has no model list")
                try service.admit(fallback)
                try service.admit(fallback)
            } else {
                #expect(
                    refusal?.status == 503 && refusal?.error.type == "no_db_connection",
                    "\(String(describing: refusal))"
                )
                #expect(
                    refusal?.error.message
                        == """
                        Service Unavailable, the authentication database is temporarily unreachable. \
                        Please retry shortly.
                        """
                )
            }
        }

        // Back up: nothing of the outage stays — an unknown key is refused again.
        await store.setDown(false)
        #expect(await Self.refusal(service, "sk-not-a-key-at-all")?.status == 401)
        #expect(try await service.caller(forKey: unseen).dbUnavailableFallback == false)
        try await store.inner.close()
    }

    @Test func theSettingIsReadAsLiteLLMReadsIt() throws {
        let cases: [(String, Bool)] = [
            ("true", true), ("false", false), ("\"True\"", true), ("\"no\"", false), ("\"on\"", true),
        ]
        for (text, expected) in cases {
            let config = try ConfigLoader.parse("general_settings: {allow_requests_on_db_unavailable: \(text)}")
            #expect(config.settings.keys.allowRequestsOnDBUnavailable == expected, "\(text)")
        }
        #expect(try ConfigLoader.parse("general_settings: {}").settings.keys.allowRequestsOnDBUnavailable == nil)
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse("general_settings: {allow_requests_on_db_unavailable: [1]}")
        }
    }

    /// Through the proxy on PostgreSQL that cannot be reached (nothing listens on the port): an unseen virtual key gets
    /// 503 `no_db_connection` without the flag, an answer with it, and its row — journaled, the database being down —
    /// carries the key's hash and the fallback flag, and no key material.
    @Test(arguments: [false, true]) func throughTheProxyOnAnUnreachablePostgreSQL(allow: Bool) async throws {
        let folder = try TestPaths.temporaryDirectory("pg-down")
        let journal = folder.appendingPathComponent("spend.journal").path
        let settings = """

              database_url: postgresql://gateway:pw@127.0.0.1:1/gateway?sslmode=disable
              allow_requests_on_db_unavailable: \(allow)
              spend_spill_path: \(folder.appendingPathComponent("spill.jsonl").path)
              spend_journal_path: \(journal)

            """
        let key = "sk-" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        try await withProxy(config: { TestConfigs.standard(mockBase: $0) + settings }) { proxy in
            let started = ContinuousClock.now
            let response = try await VirtualKeyTests.chat(proxy, key: key, prompt: "db down \(allow)")
            #expect(ContinuousClock.now - started < .seconds(10))
            if !allow {
                #expect(
                    response.status == 503 && response.json?.value(at: "error.type") == "no_db_connection",
                    "\(response.text)"
                )
                return
            }
            #expect(response.status == 200, "\(response.text)")
            let master = try await TestHTTP.request(
                .POST,
                "\(proxy.base)/chat/completions",
                headers: proxy.auth,
                body: #"{"model":"gpt-4o","messages":[{"role":"user","content":"master"}]}"#
            )
            #expect(master.status == 200)
            let id = try #require(response.json?["id"]?.stringValue)
            let masterID = master.json?["id"]?.stringValue
            // Journaled by the next group commit, within a window of the answers.
            var lines: [Substring] = []
            let journaled = try await eventually {
                let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
                    $0.hasPrefix("spend.journal.")
                }
                lines = try names.flatMap {
                    try String(contentsOfFile: folder.appendingPathComponent($0).path, encoding: .utf8).split(
                        separator: "\n"
                    )
                }
                let text = lines.joined()
                return text.contains(id) && masterID.map(text.contains) == true
            }
            #expect(journaled, "both rows in the journal")
            #expect(!lines.joined().contains(key), "no key material in the journal")
            let rows = lines.compactMap { try? JSON.parse(String($0)) }
            let row = try #require(rows.first { $0["request_id"]?.stringValue == id }, "\(lines.count) journal lines")
            #expect(row["api_key"]?.stringValue == SecretHash.sha256Hex(key))
            #expect(row.value(at: "metadata.db_unavailable_fallback") == true)
            #expect(row.value(at: "metadata.user_api_key_user_id") == "__db_unavailable_fallback__")
            let masterRow = rows.first { $0["request_id"]?.stringValue == masterID }
            #expect(
                masterRow != nil && masterRow?.value(at: "metadata.db_unavailable_fallback") == nil,
                "only fallback rows are flagged"
            )
        }
    }
}
