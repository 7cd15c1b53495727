import Testing
import Wire

@Suite struct JSONTests {
    @Test func keepsKeyOrderAndNumberText() throws {
        let text = #"{"z":1,"a":1.1e-06,"m":[true,false,null],"big":1758371868,"neg":-0.5}"#
        let value = try JSON.parse(text)
        #expect(value.serialized() == text)
        #expect(value.objectValue?.keys == ["z", "a", "m", "big", "neg"])
        #expect(value["a"]?.doubleValue == 1.1e-06)
        #expect(value["big"]?.intValue == 1_758_371_868)
    }

    @Test func equalityIgnoresKeyOrderAndNumberSpelling() throws {
        #expect(try JSON.parse(#"{"a":1,"b":[1,2]}"#) == JSON.parse(#"{"b":[1,2.0],"a":1e0}"#))
        #expect(try JSON.parse(#"{"a":1}"#) != JSON.parse(#"{"a":2}"#))
        #expect(try JSON.parse(#"{"a":1}"#) != JSON.parse(#"{"a":1,"b":null}"#))
        #expect(try JSON.parse("[1,2]") != JSON.parse("[2,1]"))
    }

    @Test func stringsAndEscapes() throws {
        let value = try JSON.parse(#"["I\u2019m", "\ud83d\ude00", "tab\there", "quote\"slash\/", "I’m"]"#)
        #expect(value[0]?.stringValue == "I’m")
        #expect(value[1]?.stringValue == "😀")
        #expect(value[2]?.stringValue == "tab\there")
        #expect(value[3]?.stringValue == "quote\"slash/")
        #expect(value.serialized() == #"["I’m","😀","tab\there","quote\"slash/","I’m"]"#)
        #expect(JSON.string("\u{01}<\n").serialized() == #""\u0001<\n""#)
    }

    /// Every escape at a run's start, middle and end, and random strings from a mix of plain, escaped and multi-byte
    /// characters: the writer's text parses back to the same string.
    @Test func everyEscapeRoundTrips() throws {
        #expect(
            JSON.string("\"a\\b\r\u{7F}\u{08}\u{0C}\t\u{1F}é\n").serialized() == #""\"a\\b\r\u007f\b\f\t\u001fé\n""#
        )
        #expect(JSON.string("").serialized() == #""""#)
        let pieces = [
            "a", "plain text ", "\"", "\\", "\n", "\r", "\t", "\u{00}", "\u{1B}", "\u{7F}", "é", "😀", "/", "\u{2028}",
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 500 {
            let text = (0 ..< Int.random(in: 0 ... 12, using: &generator)).map { _ in
                pieces.randomElement(using: &generator)!
            }.joined()
            let serialized = JSON.string(text).serialized()
            #expect(try JSON.parse(serialized) == .string(text), "\(serialized)")
            #expect(!serialized.utf8.dropFirst().dropLast().contains { $0 < 0x20 || $0 == 0x7F })
        }
    }

    @Test(arguments: [
        "", "{", "{\"a\":}", "[1,]", "{\"a\" 1}", "01", "1.", "-", "tru", "\"abc", "\"\\x\"", "\"\\ud800\"", "{} x",
        "[\"\u{01}\"]", "NaN",
    ])
    func rejectsInvalidJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0x5C, 0x6E, 0xC3, 0x22]) }
    }

    /// Strings are accepted exactly when the standard library calls their bytes UTF-8: every 1- and 2-byte
    /// sequence, the edges of each lead byte, and random longer ones; by the parser and by the span scanner.
    @Test func utf8AcceptedExactlyAsTheStandardLibrary() throws {
        var samples: [[UInt8]] = (0x20 ... 0xFF).map { [UInt8($0)] }
        for first in 0x80 ... 0xFF { for second in 0x00 ... 0xFF { samples.append([UInt8(first), UInt8(second)]) } }
        let edges: [UInt8] = [
            0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0,
            0xF4, 0xF5, 0xFF,
        ]
        for a in edges { for b in edges { for c in edges { samples.append([a, b, c]) } } }
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 20_000 {
            let length = Int.random(in: 3 ... 6, using: &generator)
            samples.append((0 ..< length).map { _ in edges.randomElement(using: &generator)! })
        }
        let plain = samples.filter { sample in !sample.contains { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 } }
        for sample in plain {
            let valid = String(validating: sample, as: UTF8.self) != nil
            let quoted = [0x22] + sample + [0x22]
            let parsed = try? JSON.parse(quoted)
            #expect((parsed != nil) == valid, "\(sample)")
            let object = Array(#"{"a":"#.utf8) + quoted + [0x7D]
            #expect(((try? JSONSpans.members(object, in: object.indices)) != nil) == valid, "\(sample)")
            if valid { #expect(parsed == .string(String(decoding: sample, as: UTF8.self))) }
        }
    }

    @Test func boundsNesting() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = try #require(throws: JSONParseError.self) { try JSON.parse(deep) }
        #expect(error.reason.contains("nesting"))
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: Never.self) { try JSON.parse(fine) }
    }

    @Test func duplicateKeysKeepTheLastValueInTheFirstPlace() throws {
        let value = try JSON.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.serialized() == #"{"a":3,"b":2}"#)
    }

    @Test func largeObjectsKeepTheLastValueInTheFirstPlaceToo() throws {
        let members = (0 ..< 20).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let value = try JSON.parse("{" + members + #","k3":"last","k19":true}"#)
        #expect(value.objectValue?.keys == (0 ..< 20).map { "k\($0)" })
        #expect(value["k3"] == "last")
        #expect(value["k19"] == true)
    }

    @Test func stringsAsciiAndNot() throws {
        let parsed = try JSON.parse(#"["plain","I\#u{2019}m","caf\u00e9"]"#)
        #expect(parsed.serialized() == "[\"plain\",\"I\u{2019}m\",\"caf\u{e9}\"]")
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0x61, 0xC3, 0x28, 0x22]) }
    }

    @Test func objectEditingKeepsPositions() {
        var object: JSONObject = ["id": "x", "model": "o4-mini", "usage": nil]
        object["model"] = "azure/o4-mini"
        object["extra"] = 1
        object["usage"] = nil
        object.insert("first", true, at: 0)
        #expect(JSON.object(object).serialized() == #"{"first":true,"id":"x","model":"azure/o4-mini","extra":1}"#)
    }

    @Test func pathsAndDoubles() throws {
        let value = try JSON.parse(#"{"usage":{"details":{"reasoning":128}},"choices":[{"index":0}]}"#)
        #expect(value.value(at: "usage.details.reasoning")?.intValue == 128)
        #expect(value.value(at: "choices.0.index")?.intValue == 0)
        #expect(value.value(at: "choices.1.index") == nil)
        #expect(JSON.double(0.0007689).serialized() == "0.0007689")
        #expect(JSON.double(2).serialized() == "2.0")
    }

    @Test func prettyPrintingRoundTrips() throws {
        let value = try JSON.parse(#"{"a":[1,{"b":"c"}],"d":{}}"#)
        let pretty = value.prettyPrinted()
        #expect(pretty.contains("\n  \"a\": [\n"))
        #expect(try JSON.parse(pretty).serialized() == value.serialized())
    }

    @Test func yamlKeepsOrderAndTypes() throws {
        let value = try JSON.parseYAML(
            """
            model_list:
              - model_name: o4-mini
                litellm_params:
                  api_version: "2025-01-01-preview"
                  rpm: 60
                  weight: 0.5
                  enabled: true
                  nothing: null
            general_settings: {master_key: sk-1234}
            """
        )
        #expect(value.objectValue?.keys == ["model_list", "general_settings"])
        let params = try #require(value.value(at: "model_list.0.litellm_params"))
        #expect(params.objectValue?.keys == ["api_version", "rpm", "weight", "enabled", "nothing"])
        #expect(params["api_version"] == "2025-01-01-preview")
        #expect(params["rpm"]?.intValue == 60)
        #expect(params["weight"]?.doubleValue == 0.5)
        #expect(params["enabled"] == true)
        #expect(params["nothing"] == .null)
    }

    /// YAML 1.1 base-60 integers are numbers, as PyYAML reads them for LiteLLM; one too large for an Int stays the text
    /// it was (Yams's own reading traps on overflow: the config fuzzer found `9223372036854775807:59`).
    @Test func yamlBase60IntegersReadWithoutOverflow() throws {
        let value = try JSON.parseYAML(
            "a: 190:20:30\nb: -1_0:00\nc: 9223372036854775807:59\nd: 1:2:3:4:5:6:7:8:9:10:11:12\ne: 0x1F\n"
        )
        #expect(value["a"]?.intValue == 685_230)
        #expect(value["b"]?.intValue == -600)
        #expect(value["c"] == "9223372036854775807:59")
        #expect(value["d"] == "1:2:3:4:5:6:7:8:9:10:11:12")
        #expect(value["e"]?.intValue == 31)
    }

    @Test func yamlErrorsNameTheLine() throws {
        let error = try #require(throws: YAMLLoadError.self) { try JSON.parseYAML("a: 1\nb: [1, 2\nc: 3\n") }
        #expect(error.line != nil)
        #expect(throws: YAMLLoadError.self) { try JSON.parseYAML("a: 1\na: 2\n") }
    }
}
