import Foundation
import Wire

extension ConformanceCatalog {
    /// LiteLLM's `guardrails:` against MockAzure's Content Safety, for a proxy whose `GET /guardrails/list` has one of
    /// the kind a check needs in `pre_call` mode (skipped otherwise): Prompt Shields refusing an attack, moderation
    /// refusing a category, the content filter masking an email before Azure sees it.
    static var guardrails: [ConformanceCheck] {
        [
            ConformanceCheck(
                "guardrails.prompt-shield-refuses",
                .guardrails,
                """
                An azure/prompt_shield pre_call guardrail refuses a flagged prompt with LiteLLM's 400 (its message, \
                the guardrail named in provider_specific_fields) and the prompt never reaches Azure OpenAI
                """,
                requires: .mock,
                run: promptShieldRefuses
            ),
            ConformanceCheck(
                "guardrails.moderation-refuses",
                .guardrails,
                "An azure/text_moderations pre_call guardrail refuses a prompt Content Safety rates Violence 6",
                requires: .mock,
                run: moderationRefuses
            ),
            ConformanceCheck(
                "guardrails.pii-masked",
                .guardrails,
                """
                A litellm_content_filter pre_call guardrail masking emails sends [EMAIL_REDACTED] to Azure, and the \
                answer names the guardrail in x-litellm-applied-guardrails
                """,
                requires: .mock,
                run: piiMasked
            ),
        ]
    }

    static func promptShieldRefuses(_ c: CheckContext) async throws -> JSON {
        let name = try await guardrail(c, "azure/prompt_shield")
        let marker = c.marker()
        let refused = try await c.post(
            "/chat/completions",
            c.chat(c.target.chatModel, "\(marker)\n#mock-attack", extra: ["guardrails": [.string(name)]])
        )
        try c.expect(refused.status == 400, "status \(refused.status)", observed: .int(refused.status))
        let error = refused.json?["error"]
        try c.expect(
            error?["message"] == "Violated Azure Prompt Shield guardrail policy",
            "message differs",
            observed: error?["message"] ?? nil
        )
        try c.expect(
            error?.value(at: "provider_specific_fields.guardrail_name")?.stringValue == name,
            "provider_specific_fields does not name the guardrail",
            observed: error?["provider_specific_fields"] ?? nil
        )
        try await expectNoChatCall(c, marker)
        return ["guardrail": .string(name)]
    }

    static func moderationRefuses(_ c: CheckContext) async throws -> JSON {
        let name = try await guardrail(c, "azure/text_moderations")
        let marker = c.marker()
        let refused = try await c.post(
            "/chat/completions",
            c.chat(c.target.chatModel, "\(marker)\n#mock-category: Violence=6", extra: ["guardrails": [.string(name)]])
        )
        try c.expect(refused.status == 400, "status \(refused.status)", observed: .int(refused.status))
        let message = refused.json?.value(at: "error.message")?.stringValue ?? ""
        try c.expect(
            message.hasPrefix("Azure Content Safety Guardrail: Violence crossed severity")
                && message.hasSuffix("Got severity: 6"),
            "message differs",
            observed: .string(message)
        )
        try await expectNoChatCall(c, marker)
        return ["guardrail": .string(name)]
    }

    static func piiMasked(_ c: CheckContext) async throws -> JSON {
        let name = try await guardrail(c, "litellm_content_filter") { params in
            params["patterns"]?.arrayValue?.contains { pattern in
                (pattern["pattern_name"] ?? pattern["name"]) == "email" && pattern["action"] == "MASK"
            } == true
        }
        let marker = c.marker()
        let answer = try await c.post(
            "/chat/completions",
            c.chat(c.target.chatModel, "\(marker) mail ada@example.com", extra: ["guardrails": [.string(name)]])
        )
        try c.expect(answer.status == 200, "status \(answer.status)", observed: .int(answer.status))
        let sent = try await chatCalls(c, marker).first?.value(at: "body.messages.0.content")?.stringValue ?? ""
        try c.expect(
            sent == "\(marker) mail [EMAIL_REDACTED]",
            "Azure received the prompt unmasked or differently masked",
            observed: .string(String(sent.prefix(200)))
        )
        let applied = answer.header("x-litellm-applied-guardrails") ?? ""
        try c.expect(applied.split(separator: ",").contains { $0 == name }, "x-litellm-applied-guardrails: \(applied)")
        return ["guardrail": .string(name), "sent": .string(sent)]
    }

    /// The name of a `pre_call` guardrail of `kind` the proxy lists (and `matches`), else the check is skipped.
    static func guardrail(
        _ c: CheckContext,
        _ kind: String,
        matches: (JSON) -> Bool = { _ in true }
    ) async throws -> String {
        let listed = try await c.get("/guardrails/list")
        let entries = listed.json?["guardrails"]?.arrayValue ?? []
        let found = entries.first { entry in
            guard let params = entry["litellm_params"], params["guardrail"]?.stringValue == kind else { return false }
            let modes = params["mode"]?.arrayValue ?? [params["mode"] ?? nil]
            return modes.contains("pre_call") && matches(params)
        }
        guard let name = found?["guardrail_name"]?.stringValue else {
            throw CheckSkipped("the proxy lists no \(kind) pre_call guardrail (/guardrails/list: \(listed.status))")
        }
        return name
    }

    /// The journal's Azure OpenAI calls (not Content Safety's) whose body has `marker`.
    static func chatCalls(_ c: CheckContext, _ marker: String) async throws -> [JSON] {
        try await c.journalEntries(containing: marker).filter {
            $0["path"]?.stringValue?.hasPrefix("/openai/") == true
        }
    }

    static func expectNoChatCall(_ c: CheckContext, _ marker: String) async throws {
        let calls = try await chatCalls(c, marker).count
        try c.expect(calls == 0, "the refused prompt reached Azure OpenAI \(calls) time(s)", observed: .int(calls))
    }
}
