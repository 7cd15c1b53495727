import Wire

extension ResponseShaper {
    /// An answer shaped from its bytes, with the upstream's `model`, `usage` and `id` (the row and the price read
    /// these).
    struct Shaped {
        var body: [UInt8]
        var model: String?
        var usage: JSON?
        var id: String?
    }

    /// `shape`'s answer written straight from the upstream's text: members are moved and renamed as their byte
    /// ranges, values copied without their white space, only `model` and `usage` parsed. Nil when the answer is not
    /// shaped the way this handles (not an object, a repeated key, choices that are not objects, …): `shape` then
    /// serves it.
    static func shapedBytes(_ bytes: [UInt8], deployment: ModelDeployment) throws(JSONParseError) -> Shaped? {
        guard let top = try JSONSpans.members(bytes, in: 0 ..< bytes.count), distinct(top) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 64)
        var model: String?
        var usage: JSON?
        var id: String?
        var isChat = false
        for member in top {
            switch member.key {
            case "model":
                guard case .string(let text) = try JSONSpans.value(bytes, in: member.value) else { return nil }
                model = text
            case "usage": usage = try JSONSpans.value(bytes, in: member.value)
            case "id": id = try JSONSpans.value(bytes, in: member.value).stringValue
            case "object": isChat = try JSONSpans.value(bytes, in: member.value) == .string("chat.completion")
            default: break
            }
        }
        var members = top.map { Output.raw($0.key, $0.value) }
        if top.contains(where: { $0.key == "model" || $0.key == "object" }) {
            set(&members, "model", .text(responseModel(model, deployment: deployment)))
        }
        if let choices = top.first(where: { $0.key == "choices" }),
            let elements = try JSONSpans.elements(bytes, in: choices.value)
        {
            var shaped: [[Output]] = []
            for element in elements {
                guard let choice = try shapedChoice(bytes, element, isChat: isChat) else { return nil }
                shaped.append(choice)
            }
            set(&members, "choices", .array(shaped))
        }
        write(.object(reordered(members, topOrder)), bytes, into: &out)
        return Shaped(body: out, model: model, usage: usage, id: id)
    }

    /// A member as it is written: its text copied, a string, an object of members, an array of objects.
    indirect enum Output {
        case raw(String, Range<Int>)
        case member(String, Output)
        case text(String)
        case object([Output])
        case array([[Output]])
        case literal(String)
    }

    static func shapedChoice(_ bytes: [UInt8], _ range: Range<Int>, isChat: Bool) throws(JSONParseError)
        -> [Output]?
    {
        guard let members = try JSONSpans.members(bytes, in: range), distinct(members) else { return nil }
        var choice = members.map { Output.raw($0.key, $0.value) }
        if isChat, !members.contains(where: { $0.key == "message" }) {
            choice.append(.member("message", .literal(emptyMessage.serialized())))
        }
        var specific: [Output] = []
        if let existing = members.first(where: { $0.key == "provider_specific_fields" }) {
            guard let fields = try JSONSpans.members(bytes, in: existing.value), distinct(fields),
                !fields.contains(where: { filterKeys.contains($0.key) })
            else { return nil }
            specific = fields.map { Output.raw($0.key, $0.value) }
        }
        for key in filterKeys {
            guard let position = choice.firstIndex(where: { $0.key == key }) else { continue }
            specific.append(choice.remove(at: position))
        }
        if !specific.isEmpty { set(&choice, "provider_specific_fields", .object(specific)) }
        if let message = members.first(where: { $0.key == "message" }),
            let fields = try JSONSpans.members(bytes, in: message.value)
        {
            guard distinct(fields) else { return nil }
            set(&choice, "message", .object(reordered(fields.map { Output.raw($0.key, $0.value) }, messageOrder)))
        }
        return reordered(choice, choiceOrder)
    }

    static func distinct(_ members: [JSONSpans.Member]) -> Bool {
        if members.count > 16 { return Set(members.map(\.key)).count == members.count }
        for index in members.indices.dropFirst() {
            let key = members[index].key
            if members[..<index].contains(where: { $0.key == key }) { return false }
        }
        return true
    }

    /// Replaces the member `key` in place, or appends it.
    static func set(_ members: inout [Output], _ key: String, _ value: Output) {
        if let position = members.firstIndex(where: { $0.key == key }) {
            members[position] = .member(key, value)
        } else {
            members.append(.member(key, value))
        }
    }

    static func reordered(_ members: [Output], _ order: [String]) -> [Output] {
        let first = order.compactMap { key in members.first { $0.key == key } }
        return first + members.filter { member in !order.contains(member.key ?? "") }
    }

    static func write(_ output: Output, _ bytes: [UInt8], into out: inout [UInt8]) {
        switch output {
        case .raw(let key, let range):
            JSON.writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            JSONSpans.appendCompact(bytes, range, to: &out)
        case .member(let key, let value):
            JSON.writeString(key, into: &out)
            out.append(UInt8(ascii: ":"))
            write(value, bytes, into: &out)
        case .text(let text): JSON.writeString(text, into: &out)
        case .literal(let text): out.append(contentsOf: text.utf8)
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (offset, member) in members.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                write(member, bytes, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                write(.object(element), bytes, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }
}

extension ResponseShaper.Output {
    /// The member's key (nil for a value).
    var key: String? {
        switch self {
        case .raw(let key, _), .member(let key, _): key
        default: nil
        }
    }
}
