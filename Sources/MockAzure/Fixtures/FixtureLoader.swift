import Foundation
import Wire

/// Loads a fixtures folder: `deployments.yaml` (or `.json`), every `*.yaml`, `*.yml` and `*.json` below
/// `scenarios/`, one scenario per file, and below `content-safety/`, one Content Safety answer per file. Any problem
/// stops loading with the file, key path and reason.
public enum FixtureLoader {
    public static func load(directory: String) throws(FixtureError) -> FixtureSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FixtureError(file: directory, reason: "fixtures folder not found")
        }
        let root = URL(fileURLWithPath: directory)
        var deployments: [Deployment] = []
        var apiVersions = FixtureSet.defaultAPIVersions
        var window = 60.0
        for name in ["deployments.yaml", "deployments.yml", "deployments.json"] {
            let path = root.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let document = try readDocument(path)
            let settings = try DeploymentsDecoder(reader: FixtureReader(file: path)).decode(document)
            deployments = settings.deployments
            if let versions = settings.apiVersions { apiVersions = versions }
            window = settings.windowSeconds ?? window
            break
        }
        var scenarios: [Scenario] = []
        var names: [String: String] = [:]
        for path in try scenarioFiles(under: root.appendingPathComponent("scenarios")) {
            let scenario = try loadScenario(file: path)
            if let other = names[scenario.name] {
                throw FixtureError(
                    file: path,
                    keyPath: "name",
                    reason: "scenario name '\(scenario.name)' is already used by \(other)"
                )
            }
            names[scenario.name] = path
            scenarios.append(scenario)
        }
        for deployment in deployments.sorted(by: { $0.name < $1.name }) {
            if let name = deployment.defaultScenario, names[name] == nil {
                throw FixtureError(
                    file: root.appendingPathComponent("deployments.yaml").path,
                    keyPath: "deployments.\(deployment.name).default_scenario",
                    reason: "no scenario named '\(name)'"
                )
            }
        }
        var set = FixtureSet(
            deployments: deployments,
            scenarios: scenarios,
            apiVersions: apiVersions,
            rateLimitWindowSeconds: window
        )
        for path in try scenarioFiles(under: root.appendingPathComponent("content-safety")) {
            let fallbackName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            let fixture = try ContentSafetyFixture.decode(
                try readDocument(path),
                reader: FixtureReader(file: path),
                fallbackName: fallbackName
            )
            guard set.contentSafety[fixture.name] == nil else {
                throw FixtureError(file: path, keyPath: "name", reason: "'\(fixture.name)' is already used")
            }
            set.contentSafety[fixture.name] = fixture
        }
        return set
    }

    /// One scenario file; the scenario's name defaults to the file name without its extension.
    public static func loadScenario(file path: String) throws(FixtureError) -> Scenario {
        let document = try readDocument(path)
        let fallbackName = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try ScenarioDecoder(reader: FixtureReader(file: path)).decode(document, fallbackName: fallbackName)
    }

    static func scenarioFiles(under folder: URL) throws(FixtureError) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            let lower = relative.lowercased()
            guard lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") || lower.hasSuffix(".json") else { continue }
            files.append(folder.appendingPathComponent(relative).path)
        }
        return files.sorted()
    }

    /// A scenario from its bytes as a file named `file` would hold them (JSON for `.json`, else YAML): the loader's
    /// path without the file system, for the fuzzer.
    public static func parseScenario(_ data: Data, file: String = "scenario.yaml") throws(FixtureError) -> Scenario {
        let document = try parseDocument(data, path: file)
        return try ScenarioDecoder(reader: FixtureReader(file: file)).decode(document, fallbackName: "scenario")
    }

    static func readDocument(_ path: String) throws(FixtureError) -> JSON {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FixtureError(file: path, reason: "cannot be read")
        }
        return try parseDocument(data, path: path)
    }

    static func parseDocument(_ data: Data, path: String) throws(FixtureError) -> JSON {
        if path.lowercased().hasSuffix(".json") {
            do {
                return try JSON.parse(data)
            } catch {
                throw FixtureError(file: path, reason: error.description)
            }
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FixtureError(file: path, reason: "is not UTF-8 text")
        }
        do {
            return try JSON.parseYAML(text)
        } catch {
            throw FixtureError(file: path, reason: "invalid YAML: \(error.description)")
        }
    }
}
