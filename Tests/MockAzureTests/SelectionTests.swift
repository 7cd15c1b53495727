import Testing
import Wire

@testable import MockAzure

@Suite struct SelectionTests {
    static func request(_ deployment: String = "o4-mini", body: JSON, scenario: String? = nil) -> MockRequest {
        MockRequest(
            deployment: deployment,
            operation: .chatCompletions,
            apiVersion: "2025-01-01-preview",
            body: body,
            scenarioName: scenario
        )
    }

    static let fixtures = FixtureSet(
        deployments: [
            Deployment(name: "o4-mini", model: "o4-mini-2025-04-16", defaultScenario: "fallback"),
            Deployment(name: "gpt-4o", model: "gpt-4o"),
        ],
        scenarios: [
            Scenario(name: "fallback", response: ScenarioResponse(body: "fallback")),
            Scenario(
                name: "hello",
                match: ScenarioMatch(deployments: ["o4-mini"], lastUserMessage: .contains("hello")),
                response: ScenarioResponse(body: "hello")
            ),
            Scenario(
                name: "hello-stream",
                match: ScenarioMatch(deployments: ["o4-mini"], stream: true, lastUserMessage: .contains("hello")),
                response: ScenarioResponse(body: "hello-stream")
            ),
            Scenario(
                name: "temperature",
                match: ScenarioMatch(body: [.init(path: "temperature", test: .exists(true))]),
                priority: 10,
                response: ScenarioResponse(status: 400)
            ),
            Scenario(name: "named-only", response: ScenarioResponse(status: 500)),
        ]
    )

    func selected(_ request: MockRequest) -> String {
        switch ScenarioMatcher(fixtures: SelectionTests.fixtures).select(request) {
        case .scenario(let scenario, let reason): return "\(scenario.name)/\(reason.rawValue)"
        case .generated: return "generated"
        case .unknownName(let name): return "unknown:\(name)"
        }
    }

    @Test func order() {
        let hello: JSON = ["messages": [["role": "user", "content": "well hello there"]]]
        #expect(selected(Self.request(body: hello, scenario: "named-only")) == "named-only/named")
        #expect(selected(Self.request(body: hello, scenario: "nope")) == "unknown:nope")
        #expect(selected(Self.request(body: hello)) == "hello/matched")
        #expect(
            selected(Self.request(body: ["stream": true, "messages": [["role": "user", "content": "hello"]]]))
                == "hello-stream/matched"
        )
        #expect(
            selected(Self.request(body: ["temperature": 0.2, "messages": [["role": "user", "content": "hello"]]]))
                == "temperature/matched"
        )
        #expect(
            selected(Self.request(body: ["messages": [["role": "user", "content": "bye"]]]))
                == "fallback/deployment-default"
        )
        #expect(
            selected(Self.request("gpt-4o", body: ["messages": [["role": "user", "content": "bye"]]])) == "generated"
        )
    }

    @Test func bodyRules() throws {
        let body = try JSON.parse(#"{"model":"x","n":2,"prompt":"Once upon a time"}"#)
        #expect(ScenarioMatch.BodyRule(path: "n", test: .equals(2)).holds(for: body))
        #expect(!ScenarioMatch.BodyRule(path: "n", test: .equals(3)).holds(for: body))
        #expect(ScenarioMatch.BodyRule(path: "prompt", test: .contains("upon")).holds(for: body))
        #expect(ScenarioMatch.BodyRule(path: "stop", test: .exists(false)).holds(for: body))
        #expect(!ScenarioMatch.BodyRule(path: "model", test: .exists(false)).holds(for: body))
    }
}

@Suite struct FaultTests {
    @Test func parsesFaults() throws {
        #expect(try FaultPlan.parse("429").steps == [.status(429)])
        #expect(try FaultPlan.parse("429 then 200").steps == [.status(429), .none])
        #expect(try FaultPlan.parse("500, 503 ,ok").steps == [.status(500), .status(503), .none])
        #expect(try FaultPlan.parse("disconnect-after:3").steps == [.disconnectAfter(3)])
        #expect(try FaultPlan.parse("stall-after:2 then 200").steps == [.stallAfter(2), .none])
        #expect(try FaultPlan.parse("hang").steps == [.hang])
        #expect(try FaultPlan.parse("malformed-frame").steps == [.malformedFrame])
        #expect(throws: FaultPlan.ParseError.self) { try FaultPlan.parse("teapot") }
        #expect(throws: FaultPlan.ParseError.self) { try FaultPlan.parse("") }
        #expect(throws: FaultPlan.ParseError.self) { try FaultPlan.parse("200 then 700") }
    }

    @Test func sequencesAdvanceAndStartOver() throws {
        let sequencer = FaultSequencer()
        let plan = try FaultPlan.parse("429 then 500 then 200")
        let walked = (0 ..< 7).map { _ in sequencer.next(plan, key: "k") }
        #expect(walked == [.status(429), .status(500), .none, .status(429), .status(500), .none, .status(429)])
        #expect(sequencer.next(plan, key: "other") == .status(429))
        sequencer.reset()
        #expect(sequencer.next(plan, key: "k") == .status(429))
    }

    @Test func randomFaultsFollowTheSeedAndRate() {
        let a = RandomFaults(rate: 0.1, seed: 42)
        let b = RandomFaults(rate: 0.1, seed: 42)
        let first = (0 ..< 2000).map { _ in a.next() }
        let second = (0 ..< 2000).map { _ in b.next() }
        #expect(first == second)
        let faults = first.filter { $0 != .none }.count
        #expect((120 ... 280).contains(faults), "about 10% of 2000, got \(faults)")
        #expect(Set(first.map { "\($0)" }).count >= 6)
        #expect((0 ..< 100).allSatisfy { _ in RandomFaults(rate: 0, seed: 1).next() == .none })
    }
}

@Suite struct RateLimiterTests {
    @Test func requestsPerMinute() {
        var limiter = RateLimiter(windowSeconds: 60)
        #expect(
            limiter.admit(deployment: "d", rpm: 2, tpm: nil, cost: 10, now: 0)
                == .allowed(remainingRequests: 1, remainingTokens: nil)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: 2, tpm: nil, cost: 10, now: 10)
                == .allowed(remainingRequests: 0, remainingTokens: nil)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: 2, tpm: nil, cost: 10, now: 20)
                == .limited(retryAfter: 40, tokens: false)
        )
        #expect(
            limiter.admit(deployment: "other", rpm: 2, tpm: nil, cost: 10, now: 20)
                == .allowed(remainingRequests: 1, remainingTokens: nil)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: 2, tpm: nil, cost: 10, now: 60.5)
                == .allowed(remainingRequests: 0, remainingTokens: nil)
        )
    }

    @Test func tokensPerMinuteWaitsForEnoughToLeave() {
        var limiter = RateLimiter(windowSeconds: 60)
        #expect(
            limiter.admit(deployment: "d", rpm: nil, tpm: 1000, cost: 400, now: 0)
                == .allowed(remainingRequests: nil, remainingTokens: 600)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: nil, tpm: 1000, cost: 400, now: 5)
                == .allowed(remainingRequests: nil, remainingTokens: 200)
        )
        // 700 more needs both earlier requests gone: the second leaves at 65 s.
        #expect(
            limiter.admit(deployment: "d", rpm: nil, tpm: 1000, cost: 700, now: 10)
                == .limited(retryAfter: 55, tokens: true)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: nil, tpm: 1000, cost: 300, now: 10)
                == .limited(retryAfter: 50, tokens: true)
        )
        #expect(
            limiter.admit(deployment: "d", rpm: nil, tpm: 1000, cost: 700, now: 65.1)
                == .allowed(remainingRequests: nil, remainingTokens: 300)
        )
    }

    @Test func unlimitedWithoutQuota() {
        var limiter = RateLimiter()
        for second in 0 ..< 1000 {
            #expect(
                limiter.admit(deployment: "d", rpm: nil, tpm: nil, cost: 1_000_000, now: Double(second))
                    == .allowed(remainingRequests: nil, remainingTokens: nil)
            )
        }
    }
}

@Suite struct StreamShapeTests {
    @Test func usageFrameRemovedWhenNotAsked() throws {
        let frames = [
            StreamFrame(delayMs: 10, json: ["choices": [["delta": ["content": "a"]]], "usage": nil]),
            StreamFrame(delayMs: 5, json: ["choices": [], "usage": ["total_tokens": 3]]),
            StreamFrame(delayMs: 1, data: "[DONE]"),
        ]
        let adapted = StreamSynthesizer.adapt(frames, includeUsage: false)
        #expect(adapted.map(\.data) == [#"{"choices":[{"delta":{"content":"a"}}]}"#, "[DONE]"])
        #expect(adapted.last?.delayMs == 6)
        #expect(StreamSynthesizer.adapt(frames, includeUsage: true) == frames)
    }

    @Test func synthesizedStreamFollowsAzureLayout() throws {
        let body = try JSON.parse(
            #"{"id":"chatcmpl-1","created":5,"model":"m","object":"chat.completion","choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}},"finish_reason":"stop","index":0,"message":{"content":"one two three four five","role":"assistant"}}],"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#
        )
        let frames = StreamSynthesizer.frames(for: body, includeUsage: true)
        let json = frames.dropLast().compactMap { try? JSON.parse($0.data) }
        #expect(json.count == frames.count - 1)
        #expect(json[0]["prompt_filter_results"] != nil && json[0]["choices"] == [])
        #expect(json[1].value(at: "choices.0.delta.role") == "assistant")
        let content = json.compactMap { $0.value(at: "choices.0.delta.content")?.stringValue }.joined()
        #expect(content == "one two three four five")
        #expect(json.dropFirst(2).first?.value(at: "choices.0.content_filter_results.hate.severity") == "safe")
        #expect(json[json.count - 2].value(at: "choices.0.finish_reason") == "stop")
        #expect(json.last?["choices"] == [] && json.last?.value(at: "usage.total_tokens")?.intValue == 3)
        #expect(json.dropFirst().dropLast().allSatisfy { $0["usage"] == .null })
        #expect(frames.last?.data == "[DONE]")
    }
}

@Suite struct JournalTests {
    @Test func secretsAreHashedAndTheRingIsBounded() {
        let journal = Journal(capacity: 3)
        for index in 0 ..< 5 {
            journal.record(
                method: "POST",
                path: "/p\(index)",
                query: "",
                headers: [("api-key", "secret-key-\(index)"), ("authorization", "Bearer tok"), ("x-other", "v")],
                body: Array("{\"a\":1}".utf8)
            )
        }
        let entries = journal.entries
        #expect(entries.map(\.path) == ["/p2", "/p3", "/p4"])
        let headers = entries[0].headers
        #expect(headers.contains { $0 == ("api-key", "sha256:" + SecretHash.sha256Hex("secret-key-2")) })
        #expect(headers.contains { $0 == ("authorization", "Bearer sha256:" + SecretHash.sha256Hex("tok")) })
        #expect(headers.contains { $0 == ("x-other", "v") })
        #expect(!entries.map { $0.json.serialized() }.joined().contains("secret-key"))
        journal.clear()
        #expect(journal.entries.isEmpty)
    }
}
