/// The samples of a Prometheus text exposition: each line's name, labels and value (`# ` lines skipped).
struct PrometheusSamples {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var samples: [Sample] = []

    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            if let sample = Self.sample(line) { samples.append(sample) }
        }
    }

    /// The samples named `name` whose labels include `labels`.
    func named(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    static func sample(_ line: Substring) -> Sample? {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
            return nil
        }
        let head = line[..<space]
        guard let open = head.firstIndex(of: "{") else { return Sample(name: String(head), labels: [:], value: value) }
        var labels: [String: String] = [:]
        var rest = head[head.index(after: open)...].dropLast()
        while let equals = rest.firstIndex(of: "=") {
            let name = String(rest[..<equals])
            var index = rest.index(equals, offsetBy: 2)
            var text = ""
            while index < rest.endIndex, rest[index] != "\"" {
                if rest[index] == "\\" { index = rest.index(after: index) }
                text.append(rest[index])
                index = rest.index(after: index)
            }
            labels[name] = text
            rest = rest[rest.index(after: index)...].drop { $0 == "," }
        }
        return Sample(name: String(head[..<open]), labels: labels, value: value)
    }
}
