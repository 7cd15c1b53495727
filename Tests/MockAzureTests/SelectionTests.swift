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
