import Foundation
import Yams

/// Why a YAML document could not be read; `line` is 1-based when Yams reported a position.
public struct YAMLLoadError: Error, Sendable, CustomStringConvertible {
    public var line: Int?
    public var reason: String

    public var description: String {
        if let line { return "line \(line): \(reason)" }
        return reason
    }
}

extension JSON {
    /// Reads a YAML document into JSON, keeping mapping order. Scalars take YAML 1.1's core types (Yams's
    /// resolver): `true`, `42`, `1.5`, `null`/`~`; quoted scalars stay strings. An empty document is `null`.
    public static func parseYAML(_ text: String) throws(YAMLLoadError) -> JSON {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw YAMLLoadError(line: Self.line(of: error), reason: Self.reason(of: error))
        } catch {
            throw YAMLLoadError(line: nil, reason: "\(error)")
        }
        guard let node else { return .null }
        var budget = maximumYAMLNodes
        return try JSON(yaml: node, path: "", budget: &budget)
    }

    /// The most nodes a document may expand to: aliases repeat their anchor's nodes, so a small file could otherwise
    /// expand without bound ("billion laughs").
    static let maximumYAMLNodes = 1_000_000

    init(yaml node: Node, path: String, budget: inout Int) throws(YAMLLoadError) {
        budget -= 1
        guard budget >= 0 else {
            throw YAMLLoadError(line: node.mark.map { $0.line }, reason: "the document expands to too many nodes")
        }
        switch node {
        case .scalar(let scalar):
            let text = scalar.string
            switch Tag.Name(rawValue: node.tag.description) {
            case .null: self = .null
            case .bool: self = .bool(node.bool ?? false)
            case .int:
                if (try? JSON.parse(text))?.intValue != nil {
                    self = .number(text)
                } else if let value = text.contains(":") ? Self.sexagesimal(text) : node.int {
                    self = .int(value)
                } else {
                    self = .string(text)
                }
            case .float:
                if case .number = (try? JSON.parse(text)) {
                    self = .number(text)
                } else if let value = node.float, value.isFinite {
                    self = .double(value)
                } else {
                    self = .string(text)
                }
            default: self = .string(text)
            }
        case .mapping(let mapping):
            // `<<: *anchor` (or a list of anchors) merges mappings as PyYAML does, so keys keep LiteLLM's order (a
            // deployment's id hashes them in order): merged keys first, the last-listed source's first; the
            // mapping's own keys override their values.
            var merged: [(String, JSON)] = []
            var own: [(String, JSON)] = []
            var seen = Set<String>()
            for (key, value) in mapping {
                if key.tag.description == Tag.Name.merge.rawValue {
                    for source in (value.sequence.map(Array.init) ?? [value]).reversed() {
                        guard case .object(let members) = try JSON(yaml: source, path: path, budget: &budget) else {
                            throw YAMLLoadError(line: key.mark.map { $0.line }, reason: "<< merges mappings only")
                        }
                        merged += members.map { ($0.key, $0.value) }
                    }
                    continue
                }
                guard let name = key.scalar?.string else {
                    throw YAMLLoadError(
                        line: key.mark.map { $0.line },
                        reason: "\(path.isEmpty ? "a" : "\(path): a") mapping key is not a plain string"
                    )
                }
                let childPath = path.isEmpty ? name : "\(path).\(name)"
                guard seen.insert(name).inserted else {
                    throw YAMLLoadError(line: key.mark.map { $0.line }, reason: "duplicate key \(childPath)")
                }
                own.append((name, try JSON(yaml: value, path: childPath, budget: &budget)))
            }
            var object = JSONObject()
            for (name, value) in merged + own { object[name] = value }
            self = .object(object)
        case .sequence(let sequence):
            var elements: [JSON] = []
            for (offset, element) in sequence.enumerated() {
                elements.append(try JSON(yaml: element, path: "\(path)[\(offset)]", budget: &budget))
            }
            self = .array(elements)
        case .alias:
            throw YAMLLoadError(line: node.mark.map { $0.line }, reason: "YAML aliases are not supported")
        }
    }

    /// A YAML 1.1 base-60 integer (`190:20:30` is 685230), or nil when it does not fit an Int. Read here rather than by
    /// Yams, whose reading traps on overflow (`9223372036854775807:59`).
    static func sexagesimal(_ text: String) -> Int? {
        var digits = Substring(text.replacingOccurrences(of: "_", with: ""))
        let negative = digits.first == "-"
        if negative || digits.first == "+" { digits = digits.dropFirst() }
        var value = 0
        for component in digits.split(separator: ":", omittingEmptySubsequences: false) {
            guard let part = Int(component, radix: 10), part >= 0 else { return nil }
            let shifted = value.multipliedReportingOverflow(by: 60)
            let sum = shifted.partialValue.addingReportingOverflow(part)
            guard !shifted.overflow, !sum.overflow else { return nil }
            value = sum.partialValue
        }
        return negative ? -value : value
    }

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }

    static func reason(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
            .composer(let context, let problem, _, _):
            if let context { return "\(problem) \(context.text)".trimmingCharacters(in: .whitespaces) }
            return problem
        case .reader(let problem, _, _, _): return problem
        case .duplicatedKeysInMapping(let duplicates, _): return "duplicate keys: \(duplicates.joined(separator: ", "))"
        default: return "\(error)"
        }
    }
}
