import Foundation
import MockAzure
import NIOHTTP1
import Wire

/// Keyless Azure: a proxy whose deployments authenticate with Entra ID tokens, in front of a MockAzure that refuses
/// keys (`--local-auth-disabled`). The checks steer MockAzure's token endpoint (revoke, outage) and read its counts.
extension ConformanceCatalog {
    /// Tokens MockAzure's Entra endpoints have issued so far, over every flow.
    static func tokensIssued(_ c: CheckContext) async throws -> Int {
        let mock = try c.target.mockURL.orFail("needs MockAzure")
        let stats = try await HTTPProbe.request(.GET, mock + "/__mock/entra/stats")
        try c.expect(stats.status == 200, "MockAzure has no Entra endpoints (status \(stats.status))")
        let issued = stats.json?["tokens_issued"]?.objectValue ?? JSONObject()
        return issued.reduce(0) { $0 + ($1.value.intValue ?? 0) }
    }

    /// Sends a control call to MockAzure's Entra emulator (`revoke`, `outage?seconds=N`, `DELETE outage`).
    static func entraControl(_ c: CheckContext, _ method: HTTPMethod, _ path: String) async throws {
        let mock = try c.target.mockURL.orFail("needs MockAzure")
        let answer = try await HTTPProbe.request(method, mock + "/__mock/entra/" + path)
        try c.expect(answer.status < 300, "MockAzure refused \(path): \(answer.status)")
    }

    /// Runs `body` during a token endpoint outage, ended afterwards whatever happens.
    static func duringOutage<T: Sendable>(
        _ c: CheckContext,
        _ body: () async throws -> T
    ) async throws -> T {
        try await entraControl(c, .POST, "outage?seconds=60")
        do {
            let result = try await body()
            try await entraControl(c, .DELETE, "outage")
            return result
        } catch {
            try? await entraControl(c, .DELETE, "outage")
            throw error
        }
    }

    /// A request through the proxy, answered 200.
    static func chatOK(_ c: CheckContext, _ prompt: String = "what llm are you?") async throws {
        let answer = try await c.post("/chat/completions", c.chat(nil, prompt))
        try c.expect(answer.status == 200, "status \(answer.status): \(answer.text.prefix(160))")
    }

    static var entra: [ConformanceCheck] {
        [
            ConformanceCheck(
                "entra.bearer-upstream",
                .entra,
                "Upstream gets an Entra bearer token and no api-key; never the client's key",
                requires: .mock,
                auth: .entra
            ) { c in
                let entry = try await upstreamEntry(c)
                let authorization = header(entry, "authorization") ?? ""
                try c.expect(header(entry, "api-key") == nil, "an api-key reached the keyless resource")
                try c.expect(authorization.hasPrefix("Bearer sha256:"), "no bearer token upstream")
                try c.expect(
                    authorization != "Bearer sha256:" + SecretHash.sha256Hex(c.target.key),
                    "the client's key was sent as the bearer token"
                )
                return ["authorization": "Bearer"]
            },
            ConformanceCheck(
                "entra.token-cached",
                .entra,
                "Ten requests cost at most one token exchange (cached, not fetched per request)",
                requires: .mock,
                auth: .entra
            ) { c in
                try await chatOK(c)
                let before = try await tokensIssued(c)
                for _ in 0 ..< 10 { try await chatOK(c) }
                let exchanges = try await tokensIssued(c) - before
                try c.expect(exchanges <= 1, "\(exchanges) token exchanges for 10 requests")
                return ["requests": 10, "token_exchanges": .int(exchanges)]
            },
            ConformanceCheck(
                "entra.revoked-token-replaced",
                .entra,
                "When Azure refuses the cached token (401), the proxy fetches a new one and the request succeeds",
                litellm: .deviation(
                    "azure-identity keeps its cached token until 5 minutes before expiry and LiteLLM does not drop it "
                        + "on a 401: clients get Azure's 401 until then"
                ),
                requires: .mock,
                auth: .entra
            ) { c in
                try await chatOK(c)
                let before = try await tokensIssued(c)
                try await entraControl(c, .POST, "revoke")
                try await chatOK(c)
                let exchanges = try await tokensIssued(c) - before
                try c.expect(exchanges >= 1, "the request succeeded without a new token")
                return ["token_exchanges": .int(exchanges)]
            },
            ConformanceCheck(
                "entra.outage-cached-token",
                .entra,
                "A token endpoint outage fails no request while the cached token is valid",
                requires: .mock,
                auth: .entra
            ) { c in
                try await chatOK(c)
                try await duringOutage(c) {
                    for _ in 0 ..< 5 { try await chatOK(c) }
                }
                return ["requests_during_outage": 5]
            },
            ConformanceCheck(
                "entra.token-failure-clear",
                .entra,
                "No valid token and the token endpoint down: a 401/503 in LiteLLM's shape, no token in it; recovers",
                litellm: .deviation(
                    "resends the revoked cached token: clients get Azure's 401 and no recovery until it expires"
                ),
                requires: .mock,
                auth: .entra
            ) { c in
                try await chatOK(c)
                let failed = try await duringOutage(c) {
                    try await entraControl(c, .POST, "revoke")
                    return try await c.post("/chat/completions", c.chat(nil, "what llm are you?"))
                }
                let error = failed.json?["error"]
                try c.expect(
                    [401, 503].contains(failed.status),
                    "status \(failed.status)",
                    observed: failed.json ?? nil
                )
                try c.expect(
                    error?["message"]?.stringValue?.contains("token") == true && error?["type"]?.stringValue != nil,
                    "not a LiteLLM error naming the token failure: \(failed.text.prefix(200))"
                )
                let everything = failed.text + failed.headers.map { $0.value }.joined()
                try c.expect(!everything.contains("eyJ"), "a token is in the answer")
                try c.expect(!everything.contains(c.target.key), "the client's key is in the answer")
                var recovered = 0
                for _ in 0 ..< 10 where recovered == 0 {
                    try await Task.sleep(for: .milliseconds(500))
                    let answer = try await c.post("/chat/completions", c.chat(nil, "what llm are you?"))
                    if answer.status == 200 { recovered = 1 }
                }
                try c.expect(recovered == 1, "no 200 within 5 s of the token endpoint's return")
                return ["status": .int(failed.status), "message": error?["message"] ?? nil]
            },
        ]
    }
}
