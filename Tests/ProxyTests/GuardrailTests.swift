import Foundation
import MockAzure
import NIOConcurrencyHelpers
import NIOCore
import TestSupport
import Testing
import Wire

@testable import Proxy

/// Guardrails through the gateway against a real MockAzure serving Azure OpenAI and Content Safety: what each mode
/// lets through, masks or refuses, what reached Azure (the mock's journal), the refusal bodies LiteLLM 1.110.2 gives,
/// and what the spend row records.
@Suite struct GuardrailTests {
    struct Harness {
        let gateway: Gateway
        let mock: MockAzureEngine
        let writer: SpendWriter

        func chat(_ prompt: String, extra: String = "") async -> ProxyOutcome {
            await gateway.handle(
                RouterIntegrationTests.chatCall(
                    "gpt-4o",
                    prompt,
                    extra: extra,
                    headers: [("authorization", "Bearer sk-master")]
                )
            )
        }

        /// What went to Azure OpenAI (chat) and to Content Safety.
        var chatCalls: [MockAzure.Journal.Entry] { mock.journal.entries.filter { $0.path.hasPrefix("/openai/") } }
        var safetyCalls: [MockAzure.Journal.Entry] {
            mock.journal.entries.filter { $0.path.hasPrefix("/contentsafety/") }
        }
        var rows: [SpendRow] { writer.queuedRows(limit: 100) }
    }

    static func withGuardrails<T: Sendable>(
        _ guardrails: String,
        safetyBase: String? = nil,
        mock configuration: MockAzureConfiguration = MockAzureConfiguration(
            port: 0,
            fixturesDirectory: TestPaths.fixtures,
            speed: 0
        ),
        deploymentAuth: String = "api_key: \(TestConfigs.azureKey)",
        cached: Bool = false,
        _ body: @Sendable (Harness) async throws -> T
    ) async throws -> T {
        try await MockGateway.with(
            configuration,
            label: "guardrails",
            config: { base in
                """
                model_list:
                  - {model_name: gpt-4o, litellm_params: {model: azure/gpt-4o, api_base: \(base), \
                api_version: '2025-01-01-preview', \(deploymentAuth)}}
                general_settings: {master_key: sk-master}
                litellm_settings: {cache: \(cached), cache_params: {type: local}}
                guardrails:
                \(guardrails.replacingOccurrences(of: "SAFETY", with: safetyBase ?? base))
                """
            }
        ) { built in
            try await body(Harness(gateway: built.gateway, mock: built.mock, writer: built.writer))
        }
    }

    static let pii = """
          - guardrail_name: pii
            litellm_params:
              guardrail: litellm_content_filter
              mode: pre_call
              patterns:
                - {pattern_type: prebuilt, pattern_name: email, action: MASK}
                - {pattern_type: prebuilt, pattern_name: us_phone, action: MASK}
                - {pattern_type: prebuilt, pattern_name: iban, action: BLOCK}
              blocked_words:
                - {keyword: project-zeus, action: MASK}
        """

    static func error(_ outcome: ProxyOutcome) -> JSON? { try? RouterIntegrationTests.body(outcome)["error"] }

    @Test func piiIsMaskedBeforeAzureAndInTheLogAndIbansAreRefused() async throws {
        try await Self.withGuardrails(Self.pii) { harness in
            let masked = await harness.chat(
                "mail bob@example.com or call 555-123-4567 about project-zeus",
                extra: #","guardrails":["pii"]"#
            )
            #expect(RouterIntegrationTests.status(masked) == 200)
            #expect(RouterIntegrationTests.header(masked, "x-litellm-applied-guardrails") == "pii")
            let sent = try #require(harness.chatCalls.last?.body?.value(at: "messages.0.content")?.stringValue)
            #expect(sent == "mail [EMAIL_REDACTED] or call [US_PHONE_REDACTED] about [KEYWORD_REDACTED]")
            #expect(harness.chatCalls.last?.body?["guardrails"] == nil, "LiteLLM's own key stays in the proxy")
            let row = try #require(harness.rows.first)
            #expect(row.proxyServerRequest.value(at: "messages.0.content")?.stringValue == sent)
            let record = try #require(row.metadata["guardrail_information"]?[0])
            #expect(record["guardrail_name"] == "pii" && record["guardrail_mode"] == "pre_call")
            #expect(record["guardrail_status"] == "success" && record["guardrail_provider"] == "litellm_content_filter")
            #expect(record["masked_entity_count"] == ["email": 1, "project-zeus": 1, "us_phone": 1])
            #expect(row.metadata["applied_guardrails"] == ["pii"])
            let shown = UILogDetail(row, masterKey: nil).fields.first { $0.label == "Guardrails" }?.value
            #expect(shown == "pii (pre_call): success, masked email ×1, project-zeus ×1, us_phone ×1")

            // Without asking, the guardrail does not run.
            _ = await harness.chat("plain bob@example.com")
            #expect(harness.chatCalls.last?.body?.value(at: "messages.0.content") == "plain bob@example.com")

            let calls = harness.chatCalls.count
            let refused = await harness.chat(
                "pay DE89370400440532013000",
                extra: #","metadata":{"guardrails":["pii"]}"#
            )
            #expect(RouterIntegrationTests.status(refused) == 400)
            #expect(
                Self.error(refused)?.serialized()
                    == #"{"message":"Content blocked: iban pattern detected","type":"invalid_request_error","#
                    + #""param":null,"code":"400","provider_specific_fields":{"error":"Content blocked: iban pattern "#
                    + #"detected","pattern":"iban","guardrail_name":"pii","guardrail_mode":"pre_call"}}"#
            )
            #expect(harness.chatCalls.count == calls, "a refused request never reaches Azure")
            let failure = try #require(harness.rows.first { $0.status == "failure" })
            #expect(failure.metadata.value(at: "guardrail_information.0.guardrail_status") == "guardrail_intervened")
        }
    }

    @Test func loggingOnlyMasksWhatIsStoredNotWhatIsSent() async throws {
        let config = """
              - guardrail_name: log-pii
                litellm_params:
                  guardrail: litellm_content_filter
                  mode: logging_only
                  default_on: true
                  patterns:
                    - {pattern_type: prebuilt, pattern_name: email, action: MASK}
                    - {pattern_type: regex, pattern: '(?s)\\A[A-Z].+', name: answer, action: MASK}
                  blocked_words: [{keyword: zeus, action: BLOCK}]
            """
        try await Self.withGuardrails(config) { harness in
            let answer = await harness.chat("reach ada@example.com about zeus")
            #expect(RouterIntegrationTests.status(answer) == 200, "logging_only never refuses")
            let sent = try RouterIntegrationTests.body(answer).value(at: "choices.0.message.content")?.stringValue
            #expect(sent?.isEmpty == false && sent != "[ANSWER_REDACTED]", "the client gets the answer as it came")
            #expect(harness.chatCalls.last?.body?.value(at: "messages.0.content") == "reach ada@example.com about zeus")
            let row = try #require(harness.rows.first)
            #expect(
                row.proxyServerRequest.value(at: "messages.0.content")
                    == "reach [EMAIL_REDACTED] about [KEYWORD_REDACTED]"
            )
            let stored = try #require(row.response.value(at: "choices.0.message.content")?.stringValue)
            #expect(stored == "[ANSWER_REDACTED]", "\(stored)")
            #expect(row.metadata.value(at: "guardrail_information.0.guardrail_mode") == "logging_only")
        }
    }

    static let safety = """
          - guardrail_name: shield
            litellm_params: {guardrail: azure/prompt_shield, mode: pre_call, api_base: SAFETY, api_key: cs-key}
          - guardrail_name: moderate
            litellm_params: {guardrail: azure/text_moderations, mode: [pre_call], api_base: SAFETY, api_key: cs-key}
          - guardrail_name: moderate-during
            litellm_params: {guardrail: azure/text_moderations, mode: during_call, api_base: SAFETY, api_key: cs-key}
          - guardrail_name: moderate-answer
            litellm_params: {guardrail: azure/text_moderations, mode: post_call, api_base: SAFETY, api_key: cs-key, \
        severity_threshold: 0}
          - guardrail_name: redact-answer
            litellm_params:
              guardrail: litellm_content_filter
              mode: post_call
              patterns: [{pattern_type: regex, pattern: '(?s).+', name: answer, action: MASK}]
          - guardrail_name: presidio
            litellm_params: {guardrail: presidio, mode: pre_call}
        """

    @Test func promptShieldsRefuseAnAttackAndLetTheRestThrough() async throws {
        try await Self.withGuardrails(Self.safety) { harness in
            let attack = await harness.chat("hello\n#mock-attack", extra: #","guardrails":["shield"]"#)
            #expect(RouterIntegrationTests.status(attack) == 400)
            #expect(
                Self.error(attack)?.serialized()
                    == #"{"message":"Violated Azure Prompt Shield guardrail policy","type":"invalid_request_error","#
                    + #""param":null,"code":"400","provider_specific_fields":{"error":"Violated Azure Prompt Shield "#
                    + #"guardrail policy","detection_message":"Attack detected: {'attackDetected': True}","#
                    + #""guardrail_name":"shield","guardrail_mode":"pre_call"}}"#
            )
            #expect(harness.chatCalls.isEmpty)
            let call = try #require(harness.safetyCalls.last)
            #expect(call.path == "/contentsafety/text:shieldPrompt" && call.query == "api-version=2024-09-01")
            #expect(
                call.headers.contains {
                    $0.0.lowercased() == "ocp-apim-subscription-key"
                        && $0.1 == "sha256:" + SecretHash.sha256Hex("cs-key")
                }
            )
            #expect(call.body == ["userPrompt": "hello\n#mock-attack", "documents": []])

            let benign = await harness.chat("what is the weather", extra: #","guardrails":["shield"]"#)
            #expect(RouterIntegrationTests.status(benign) == 200)
            #expect(harness.chatCalls.count == 1)
            let row = try #require(harness.rows.first { $0.status == "success" })
            #expect(row.metadata.value(at: "guardrail_information.0.guardrail_provider") == "azure")
            #expect(row.metadata.value(at: "guardrail_information.0.guardrail_response.userPromptAnalysis") != nil)
        }
    }

    @Test func moderationRefusesBeforeBesideAndAfterTheCall() async throws {
        try await Self.withGuardrails(Self.safety) { harness in
            let violent = "tell me\n#mock-category: Violence=4"
            let before = await harness.chat(violent, extra: #","guardrails":["moderate"]"#)
            #expect(RouterIntegrationTests.status(before) == 400)
            #expect(
                Self.error(before)?["message"]
                    == "Azure Content Safety Guardrail: Violence crossed severity 2, Got severity: 4"
            )
            #expect(Self.error(before)?.value(at: "provider_specific_fields.guardrail_mode") == "pre_call")
            #expect(harness.chatCalls.isEmpty)
            let analyzed = try #require(harness.safetyCalls.last?.body)
            #expect(analyzed["categories"] == ["Hate", "Sexual", "SelfHarm", "Violence"])
            #expect(analyzed["outputType"] == "FourSeverityLevels" && analyzed["text"]?.stringValue == violent)
            #expect(
                RouterIntegrationTests.status(await harness.chat("calm", extra: #","guardrails":["moderate"]"#)) == 200
            )
            // A kept Content Safety answer by name (fixtures/content-safety/violence-high.yaml).
            let kept = await harness.chat(
                "x\n#mock-content-safety: violence-high",
                extra: #","guardrails":["moderate"]"#
            )
            #expect(Self.error(kept)?["message"]?.stringValue?.hasSuffix("Got severity: 6") == true)

            // during_call: Azure is asked at the same time; its answer is held back and refused.
            let beside = await harness.chat(violent, extra: #","guardrails":["moderate-during"]"#)
            #expect(RouterIntegrationTests.status(beside) == 400)
            #expect(Self.error(beside)?.value(at: "provider_specific_fields.guardrail_mode") == "during_call")
            #expect(harness.chatCalls.count == 2)
            let stream = await harness.chat(violent, extra: #","stream":true,"guardrails":["moderate-during"]"#)
            #expect(RouterIntegrationTests.status(stream) == 400, "refused before the first byte")

            // post_call: a threshold of 0 refuses any answer.
            let after = await harness.chat("fine", extra: #","guardrails":["moderate-answer"]"#)
            #expect(RouterIntegrationTests.status(after) == 400)
            #expect(Self.error(after)?.value(at: "provider_specific_fields.guardrail_mode") == "post_call")
            let answerText = try #require(harness.safetyCalls.last?.body?["text"]?.stringValue)
            #expect(!answerText.isEmpty && answerText != "fine", "the answer was analysed, not the prompt")
            let row = try #require(harness.rows.first)
            #expect(row.status == "failure")
            #expect(row.metadata.value(at: "guardrail_information.0.guardrail_mode") == "post_call")
            #expect(row.totalTokens > 0 && row.spend > 0, "the refused answer was paid for upstream")
        }
    }

    @Test func postCallMasksTheAnswerAndDefaultOnNeedsNoOptIn() async throws {
        let config = Self.safety.replacingOccurrences(
            of: "mode: post_call\n",
            with: "mode: post_call\n      default_on: true\n"
        )
        try await Self.withGuardrails(config) { harness in
            let answer = await harness.chat("hello")
            #expect(RouterIntegrationTests.status(answer) == 200)
            let json = try RouterIntegrationTests.body(answer)
            #expect(json.value(at: "choices.0.message.content") == "[ANSWER_REDACTED]")
            #expect(RouterIntegrationTests.header(answer, "x-litellm-applied-guardrails") == "redact-answer")
            let row = try #require(harness.rows.first)
            #expect(row.response.value(at: "choices.0.message.content") == "[ANSWER_REDACTED]")
        }
    }

    /// The events a stream outcome writes, parsed.
    static func streamed(_ outcome: ProxyOutcome) async throws -> [SSEEvent] {
        guard case .stream(_, let relay) = outcome else { throw CancellationError() }
        let written = NIOLockedValueBox<[UInt8]>([])
        _ = await relay.run { buffer in written.withLockedValue { $0 += buffer.readableBytesView } }
        var parser = SSEParser(maximumEventSize: 1 << 20)
        return try parser.feed(written.withLockedValue { $0 })
    }

    @Test func postCallGuardrailsHoldAStreamBackThenMaskOrRefuseIt() async throws {
        try await Self.withGuardrails(Self.safety) { harness in
            let stream = #","stream":true,"stream_options":{"include_usage":true}"#
            let masked = try await Self.streamed(
                await harness.chat("hello", extra: stream + #","guardrails":["redact-answer"]"#)
            )
            let chunks = masked.compactMap(\.json)
            #expect(
                chunks.compactMap { $0.value(at: "choices.0.delta.content")?.stringValue }.joined()
                    == "[ANSWER_REDACTED]"
            )
            #expect(chunks.last?.value(at: "usage.total_tokens")?.intValue ?? 0 > 0)
            #expect(masked.last?.isDone == true)
            let row = try #require(harness.rows.first)
            #expect(row.response.value(at: "choices.0.message.content") == "[ANSWER_REDACTED]")
            #expect(row.metadata.value(at: "guardrail_information.0.masked_entity_count.answer") == 1)

            let refused = try await Self.streamed(
                await harness.chat("hello", extra: stream + #","guardrails":["moderate-answer"]"#)
            )
            #expect(refused.count == 2 && refused.last?.isDone == true)
            #expect(refused.first?.json?.value(at: "error.provider_specific_fields.guardrail_mode") == "post_call")
            #expect(harness.rows.first?.status == "failure")
            #expect(harness.rows.first?.response.value(at: "choices.0.message.content") == nil, "refused: not stored")

            // Cut off mid-stream: what was held was never checked, so only the error goes out.
            let broken = try await Self.streamed(
                await harness.chat(
                    "hello\n#mock-fault: disconnect-after:3",
                    extra: stream + #","guardrails":["redact-answer"]"#
                )
            )
            let texts = broken.compactMap(\.json).compactMap { $0.value(at: "choices.0.delta.content") }
            #expect(texts.isEmpty, "\(texts)")
            #expect(broken.first?.json?["error"] != nil && broken.last?.isDone == true)
        }
    }

    /// Keyless Content Safety: no api_key, an Entra ID client secret; the mock refuses keys, so only a token the
    /// emulated tenant issued for Cognitive Services gets a verdict.
    @Test func contentSafetyIsCalledWithAnEntraTokenWhenNoKeyIsGiven() async throws {
        let entra =
            "tenant_id: \(EntraAuthTests.tenant), client_id: gateway-proxy, client_secret: \(EntraAuthTests.secret)"
        let guardrail = """
              - guardrail_name: shield
                litellm_params: {guardrail: azure/prompt_shield, mode: pre_call, api_base: SAFETY, \(entra)}
            """
        try await Self.withGuardrails(guardrail, mock: EntraAuthTests.mock(), deploymentAuth: entra) { harness in
            let attack = await harness.chat("hello\n#mock-attack", extra: #","guardrails":["shield"]"#)
            #expect(RouterIntegrationTests.status(attack) == 400)
            #expect(Self.error(attack)?["message"] == "Violated Azure Prompt Shield guardrail policy")
            let call = try #require(harness.safetyCalls.last)
            #expect(call.headers.contains { $0.0.lowercased() == "authorization" && $0.1.hasPrefix("Bearer sha256:") })
            #expect(!call.headers.contains { $0.0.lowercased() == "ocp-apim-subscription-key" })
            #expect(RouterIntegrationTests.status(await harness.chat("hi", extra: #","guardrails":["shield"]"#)) == 200)
        }
    }

    /// An entry stored for a request without the guardrail is never shown to one that asks for a post-call check.
    @Test func postCallGuardrailsAreNotAnsweredFromTheCache() async throws {
        try await Self.withGuardrails(Self.safety, cached: true) { harness in
            #expect(RouterIntegrationTests.status(await harness.chat("cache me")) == 200)
            let entries = harness.gateway.cache?.store as? LocalCacheStore
            #expect(await ResponseCacheTests.eventually { entries?.usage.entries == 1 })
            let plain = await harness.chat("cache me")
            #expect(RouterIntegrationTests.header(plain, "x-litellm-cache-key") != nil, "the cache works")
            let guarded = await harness.chat("cache me", extra: #","guardrails":["redact-answer"]"#)
            #expect(RouterIntegrationTests.header(guarded, "x-litellm-cache-key") == nil)
            let body = try RouterIntegrationTests.body(guarded)
            #expect(body.value(at: "choices.0.message.content") == "[ANSWER_REDACTED]")
        }
    }

    @Test func guardedTextReadsStringListsAndInstructions() {
        #expect(GuardedText.userTurn(["input": ["first", "second"]]) == "first\nsecond")
        #expect(GuardedText.userTurn(["input": [["role": "user", "content": "hi"]]]) == "hi")
        var body: JSONObject = ["instructions": "mail ada@example.com", "input": "x"]
        GuardedText.mapRequest(&body) { $0.uppercased() }
        #expect(body["instructions"] == "MAIL ADA@EXAMPLE.COM" && body["input"] == "X")
    }

    @Test func anUnreachableContentSafetyRefusesTheRequest() async throws {
        try await Self.withGuardrails(Self.safety, safetyBase: "http://127.0.0.1:9") { harness in
            let outcome = await harness.chat("hello", extra: #","guardrails":["shield"]"#)
            #expect(RouterIntegrationTests.status(outcome) == 500)
            #expect(Self.error(outcome)?["type"] == "guardrail_failed_to_respond")
            #expect(Self.error(outcome)?["message"]?.stringValue?.contains("cs-key") == false)
            #expect(harness.chatCalls.isEmpty)
        }
    }

    /// Opt-in by a virtual key's metadata and by its team's: no request asks, the guardrails still run.
    @Test func keysAndTeamsTurnGuardrailsOn() async throws {
        let config: @Sendable (String) -> String = { base in
            TestConfigs.standard(mockBase: base) + "\nguardrails:\n" + Self.pii + "\n"
                + Self.safety.replacingOccurrences(of: "SAFETY", with: base)
        }
        try await withProxy(config: config) { proxy in
            func post(_ path: String, _ body: String, key: String? = nil) async throws -> TestResponse {
                let auth = key.map { [("authorization", "Bearer \($0)")] } ?? proxy.auth
                return try await TestHTTP.request(.POST, proxy.base + path, headers: auth, body: body)
            }
            let keyed = try await post("/key/generate", #"{"metadata": {"guardrails": ["pii"]}}"#)
            let key = try #require(keyed.json?["key"]?.stringValue, "\(keyed.text)")
            let chat = #"{"model": "gpt-4o", "messages": [{"role": "user", "content": "KEYED ada@example.com"}]}"#
            #expect(try await post("/chat/completions", chat, key: key).status == 200)
            let sent = proxy.mock.journal.entries.last { $0.body?.serialized().contains("KEYED") == true }
            #expect(sent?.body?.value(at: "messages.0.content") == "KEYED [EMAIL_REDACTED]")

            let team = try await post("/team/new", #"{"metadata": {"guardrails": ["shield"]}}"#)
            let teamID = try #require(team.json?["team_id"]?.stringValue, "\(team.text)")
            let member = try await post("/key/generate", #"{"team_id": "\#(teamID)"}"#)
            let memberKey = try #require(member.json?["key"]?.stringValue, "\(member.text)")
            let attack = #"{"model": "gpt-4o", "messages": [{"role": "user", "content": "hi\n#mock-attack"}]}"#
            let refused = try await post("/chat/completions", attack, key: memberKey)
            #expect(refused.status == 400 && refused.text.contains("Violated Azure Prompt Shield"), "\(refused.text)")
            #expect(try await post("/chat/completions", attack, key: key).status == 200, "not the key's guardrail")
        }
    }

    @Test func guardrailsListShowsTheConfigsWithoutItsKeys() async throws {
        let config =
            TestConfigs.standard(mockBase: "http://127.0.0.1:1") + "\nguardrails:\n"
            + Self.safety.replacingOccurrences(of: "SAFETY", with: "https://cs.example")
        try await withProxyRouter(config: config) { client in
            let listed = try await client.get("/guardrails/list")
            #expect(listed.status == 200)
            let entries = try #require(listed.json?["guardrails"]?.arrayValue)
            #expect(entries.count == 5 && entries[0]["guardrail_name"] == "shield")
            #expect(entries[0].value(at: "litellm_params.guardrail") == "azure/prompt_shield")
            #expect(entries[0].value(at: "litellm_params.api_key") == "****")
            #expect(entries[2].value(at: "litellm_params.mode") == "during_call")
            #expect(!listed.text.contains("cs-key"))
            #expect(listed.text.contains("(?s).+"), "an admin sees the filter's rules")
            let redacted = GuardrailController.entry(client.gateway.config.guardrails[4], rules: false)
            #expect(redacted.value(at: "litellm_params.patterns") == nil)
            #expect(try await client.get("/guardrails/list", key: "sk-wrong").status == 401)
        }
    }

    @Test func configReadsGuardrailsAndSkipsWhatItCannotRun() throws {
        let yaml = """
            model_list: [{model_name: m, litellm_params: {model: azure/m, api_base: 'https://x', api_key: k}}]
            guardrails:
            \(Self.safety.replacingOccurrences(of: "SAFETY", with: "https://cs.example"))
            """
        let config = try ConfigLoader.parse(yaml)
        #expect(
            config.guardrails.map(\.name) == [
                "shield", "moderate", "moderate-during", "moderate-answer", "redact-answer",
            ]
        )
        #expect(config.guardrails[3].severityThreshold == 0 && config.guardrails[2].modes == [.duringCall])
        #expect(config.warnings.contains { $0.contains("guardrails[5]") && $0.contains("presidio") })
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml, strict: true) }
        // A skipped entry's variables need not be set; a filter's rules must be lists; a file of words is reported.
        let unset = try ConfigLoader.parse(
            yaml.replacingOccurrences(
                of: "{guardrail: presidio, mode: pre_call}",
                with: "{guardrail: presidio, mode: pre_call, api_key: os.environ/NOT_SET_ANYWHERE}"
            )
        )
        #expect(unset.guardrails.count == 5)
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(
                yaml.replacingOccurrences(
                    of: "patterns: [{pattern_type: regex, pattern: '(?s).+', name: answer, action: MASK}]",
                    with: "patterns: email"
                )
            )
        }
        let file = try ConfigLoader.parse(
            yaml.replacingOccurrences(
                of: "mode: post_call\n",
                with: "mode: post_call\n      blocked_words_file: w.yaml\n"
            )
        )
        #expect(file.support.contains { $0.path.hasSuffix("blocked_words_file") && $0.isLoss })
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(
                yaml.replacingOccurrences(of: "pattern: '(?s).+'", with: "pattern: '(unclosed'")
            )
        }
        #expect(throws: ConfigError.self) {
            try ConfigLoader.parse(
                yaml.replacingOccurrences(of: "mode: pre_call, api_base", with: "mode: sometimes, api_base")
            )
        }
    }
}
