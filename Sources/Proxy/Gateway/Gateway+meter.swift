import Foundation
import Wire

/// What a forwarded answer used and cost, read from the relayed bytes once they have all gone to the client: a token
/// usage block where the answer has one (chat, embeddings, Responses, gpt-image-1, gpt-4o-transcribe; for a stream,
/// its last event with usage), else the unit the endpoint is priced by (image pixels, seconds of audio, characters
/// spoken).
extension Gateway {
    func meter(_ facts: inout RequestFacts, body: ForwardedBody, answer: ByteRelay.Summary, contentType: String?) {
        let type = contentType?.lowercased() ?? ""
        let json = type.contains("json") ? answer.whole.flatMap { try? JSON.parse($0) } : nil
        var usage = json?["usage"]
        if let json {
            facts.response = json
            facts.upstreamModel = json["model"]?.stringValue
        } else {
            facts.response = ["content_type": .string(contentType ?? ""), "bytes": .int(answer.bytes)]
        }
        if type.contains("event-stream") {
            let last = Gateway.lastUsage(
                inStream: answer.tail.isEmpty ? answer.captured : answer.tail,
                partial: !answer.tail.isEmpty
            )
            usage = last.usage
            facts.upstreamModel = last.model
        }
        if let tokens = Gateway.tokenUsage(usage) {
            facts.usage = tokens
            return
        }
        guard let price = prices.price(for: facts.deployment, upstreamModel: facts.upstreamModel) else { return }
        switch facts.operation {
        case .imageGeneration:
            let count = json?["data"]?.arrayValue?.count ?? body.json?["n"]?.intValue ?? 1
            let size = body.json?["size"]?.stringValue ?? "1024x1024"
            let sides = size.split(separator: "x").compactMap { Double($0) }
            let pixels = sides.count == 2 ? sides[0] * sides[1] : 1024 * 1024
            let hd = body.json?["quality"]?.stringValue == "hd"
            if let perPixel = hd ? price.pixelHD ?? price.pixel : price.pixel {
                facts.cost = pixels * Double(count) * perPixel
            }
        case .transcription:
            let seconds =
                json?["duration"]?.doubleValue ?? usage?["seconds"]?.doubleValue
                ?? body.form?.file().flatMap { WAVAudio.duration($0.data) }
            if let seconds, let perSecond = price.second { facts.cost = seconds * perSecond }
        case .speech:
            // Code points, as LiteLLM's len() counts them.
            let characters = body.json?["input"]?.stringValue?.unicodeScalars.count ?? 0
            if let perCharacter = price.character { facts.cost = Double(characters) * perCharacter }
        default:
            break
        }
    }

    /// A usage block in tokens, as the spend row keeps it: chat's own, or the Responses API's and gpt-image-1's
    /// `input_tokens`/`output_tokens` as prompt and completion tokens. nil when it counts no tokens (a duration).
    static func tokenUsage(_ usage: JSON?) -> JSON? {
        guard let usage, usage.objectValue != nil else { return nil }
        if usage["prompt_tokens"] != nil { return usage }
        guard let input = usage["input_tokens"]?.tokenCount else { return nil }
        let output = usage["output_tokens"]?.tokenCount ?? 0
        return [
            "prompt_tokens": .int(input), "completion_tokens": .int(output),
            "total_tokens": .int(usage["total_tokens"]?.tokenCount ?? input + output),
        ]
    }

    /// The last usage an SSE stream's events carry (a chat stream's usage chunk, a Responses stream's completed
    /// response), and the model it names. `bytes` may start mid-event (a stream's tail): that event is skipped.
    static func lastUsage(inStream bytes: [UInt8], partial: Bool) -> (usage: JSON?, model: String?) {
        var start = bytes.startIndex
        if partial, let gap = bytes.indices.dropLast().first(where: { bytes[$0] == 10 && bytes[$0 + 1] == 10 }) {
            start = gap + 2
        }
        var parser = SSEParser(maximumEventSize: 1024 * 1024)
        var found: (usage: JSON?, model: String?) = (nil, nil)
        for event in (try? parser.feed(bytes[start...])) ?? [] {
            guard let json = event.json else { continue }
            let carrier = json["response"]?.objectValue != nil ? json["response"] ?? nil : json
            if let usage = carrier["usage"], usage.objectValue != nil { found.usage = usage }
            if let model = carrier["model"]?.stringValue { found.model = model }
        }
        return found
    }
}
