import Foundation
import TestSupport
import Testing
import Wire

@testable import MockAzure

@Suite struct FixtureLoaderTests {
    @Test func loadsTheShippedFixtures() throws {
        let set = try FixtureLoader.load(directory: TestPaths.fixtures)
        #expect(set.scenarios.count >= 20)
        for name in [
            "seed-o4-mini", "gpt4o-cached-prompt", "tool-calls", "stream-tool-calls", "completions-legacy",
            "stream-basic",
            "stream-async-filter", "stream-output-filtered", "prompt-filtered-jailbreak", "prompt-filtered-legacy",
            "filter-service-error", "rate-limit-429", "rate-limit-429-legacy", "unauthorized-key", "unauthorized-entra",
            "deployment-not-found", "bad-api-version", "o-series-temperature", "o-series-max-tokens", "timeout-408",
            "server-error-500", "service-unavailable-503", "stream-disconnect", "stream-include-usage",
        ] {
            #expect(set.scenario(named: name) != nil, "missing scenario \(name)")
        }
        #expect(set.deployments["o4-mini"]?.model == "o4-mini-2025-04-16")
        #expect(set.deployments["text-embedding-3-small"]?.kind == .embeddings)
    }

    /// The seed scenario replays Azure's body exactly as the reference captured it.
    @Test func seedScenarioIsTheReferenceBody() throws {
        let set = try FixtureLoader.load(directory: TestPaths.fixtures)
        let seed = try #require(set.scenario(named: "seed-o4-mini"))
        let reference = try JSON.parse(
            Data(
                contentsOf: TestPaths.root.appendingPathComponent(
                    "fixtures/reference/seed-azure-upstream-response.json"
                )
            )
        )
        #expect(seed.response.body == reference)
        #expect(seed.response.body?.value(at: "usage.completion_tokens_details.reasoning_tokens")?.intValue == 128)
    }

    /// Every shipped stream scenario follows Azure's layout rules that clients depend on.
    @Test func shippedStreamsAreWellFormed() throws {
        let set = try FixtureLoader.load(directory: TestPaths.fixtures)
        for scenario in set.scenarios {
            guard let frames = scenario.response.frames else { continue }
            let done = frames.filter { $0.data == "[DONE]" }.count
            if scenario.response.ending == .disconnect {
                #expect(done == 0, "\(scenario.name): a dropped stream has no [DONE]")
            } else {
                #expect(done == 1 && frames.last?.data == "[DONE]", "\(scenario.name): exactly one [DONE], last")
            }
            for frame in frames where frame.data != "[DONE]" {
                let json = try #require(try? JSON.parse(frame.data), "\(scenario.name): frame is not JSON")
                if let usage = json["usage"], !usage.isNull {
                    let prompt = usage["prompt_tokens"]?.intValue ?? -1
                    let completion = usage["completion_tokens"]?.intValue ?? -1
                    #expect(usage["total_tokens"]?.intValue == prompt + completion, "\(scenario.name): usage adds up")
                }
            }
        }
    }

    func writeScenario(_ text: String, name: String = "broken.yaml") throws -> URL {
        let folder = try TestPaths.temporaryDirectory("fixtures")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("scenarios"),
            withIntermediateDirectories: true
        )
        try Data(text.utf8).write(to: folder.appendingPathComponent("scenarios/\(name)"))
        return folder
    }

    @Test(arguments: [
        ("response: {status: 200, bdy: {}}", "response.bdy", "unknown key"),
        ("response: {status: 999}", "response.status", "HTTP status"),
        ("match: {path: chat}\nresponse: {status: 200}", "match.path", "must be one of"),
        ("response: {stream: [{delay_ms: -1, data: x}]}", "response.stream[0].delay_ms", "number"),
        ("response: {stream: [{delay_ms: 1e300, data: x}]}", "response.stream[0].delay_ms", "at most 3600000"),
        ("response: {stream: [{delay_ms: 1}]}", "response.stream[0].data", "required"),
        ("response: {status: 200, body: {}, stream: []}", "response", "both a body and a stream"),
        ("match: {stream: yes please}\nresponse: {}", "match.stream", "true or false"),
        ("description: no response", "response", "required"),
    ])
    func brokenScenarioNamesFileKeyAndProblem(_ text: String, _ keyPath: String, _ reason: String) throws {
        let folder = try writeScenario(text)
        let error = try #require(throws: FixtureError.self) { try FixtureLoader.load(directory: folder.path) }
        #expect(error.file.hasSuffix("scenarios/broken.yaml"))
        #expect(error.keyPath == keyPath)
        #expect(error.reason.contains(reason), "\(error)")
    }

    @Test func invalidYAMLAndJSONAreReported() throws {
        let yaml = try writeScenario("response: {status: 200\n")
        let yamlError = try #require(throws: FixtureError.self) { try FixtureLoader.load(directory: yaml.path) }
        #expect(yamlError.reason.contains("invalid YAML"))
        let json = try writeScenario("{\"response\": ", name: "broken.json")
        let jsonError = try #require(throws: FixtureError.self) { try FixtureLoader.load(directory: json.path) }
        #expect(jsonError.reason.contains("invalid JSON"))
    }

    /// Values that would trap or allocate without bound when replayed (a window of 1e300 s made the 429's retry-after
    /// overflow an Int; `dimensions: -1` an empty range) are refused when the fixtures load.
    @Test(arguments: [
        ("rate_limit_window_seconds: 1e300\ndeployments: [{name: d}]", "rate_limit_window_seconds", "at most 86400"),
        (
            "deployments: [{name: d, kind: embeddings, dimensions: -1}]", "deployments[0].dimensions",
            "between 1 and 16384"
        ),
        ("deployments: [{name: d, rpm: -5}]", "deployments[0].rpm", "between 0 and"),
    ])
    func outOfRangeDeploymentSettingsAreReported(_ text: String, _ keyPath: String, _ reason: String) throws {
        let folder = try writeScenario("response: {}", name: "ok.yaml")
        try Data(text.utf8).write(to: folder.appendingPathComponent("deployments.yaml"))
        let error = try #require(throws: FixtureError.self) { try FixtureLoader.load(directory: folder.path) }
        #expect(error.keyPath == keyPath)
        #expect(error.reason.contains(reason), "\(error)")
    }

    @Test func duplicateNamesAndMissingDefaultsAreReported() throws {
        let folder = try writeScenario("name: same\nresponse: {}", name: "a.yaml")
        try Data("name: same\nresponse: {}".utf8).write(to: folder.appendingPathComponent("scenarios/b.yaml"))
        let error = try #require(throws: FixtureError.self) { try FixtureLoader.load(directory: folder.path) }
        #expect(error.reason.contains("already used"))

        let other = try writeScenario("response: {}", name: "ok.yaml")
        try Data("deployments: [{name: d, default_scenario: missing}]".utf8).write(
            to: other.appendingPathComponent("deployments.yaml")
        )
        let missing = try #require(throws: FixtureError.self) { try FixtureLoader.load(directory: other.path) }
        #expect(missing.reason.contains("no scenario named 'missing'"))
    }

    @Test func missingFolderIsReported() {
        #expect(throws: FixtureError.self) { try FixtureLoader.load(directory: "/nonexistent/fixtures") }
    }
}
