import Testing
import Wire

/// YAML anchors, aliases and `<<` merge keys as LiteLLM's PyYAML reads them, with a bound on what aliases expand to.
@Suite struct YAMLMergeTests {
    @Test func mergeKeysKeepPyYAMLsOrderAndOwnKeysWin() throws {
        let value = try JSON.parseYAML(
            """
            defaults: &defaults {model: azure/gpt-4o, api_version: '2024-10-21', api_key: k}
            more: &more {rpm: 5, api_version: old}
            list:
              - <<: *defaults
                api_version: '2025-01-01-preview'
                weight: 2
              - <<: [*defaults, *more]
              - *more
            """
        )
        let first = try #require(value.value(at: "list.0")?.objectValue)
        #expect(first.keys.map { $0 } == ["model", "api_version", "api_key", "weight"])
        #expect(first["api_version"] == "2025-01-01-preview")
        let second = try #require(value.value(at: "list.1")?.objectValue)
        #expect(second["api_version"] == "2024-10-21", "the first listed source wins, as in PyYAML")
        #expect(second["rpm"] == 5)
        #expect(value.value(at: "list.2") == ["rpm": 5, "api_version": "old"])
    }

    @Test func aliasExpansionIsBounded() throws {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1 ... 7 {
            let previous = "*a\(level - 1)"
            text += "a\(level): &a\(level) [" + Array(repeating: previous, count: 10).joined(separator: ", ") + "]\n"
        }
        let error = try #require(throws: YAMLLoadError.self) { try JSON.parseYAML(text) }
        #expect(error.reason.contains("too many nodes"))
    }
}
