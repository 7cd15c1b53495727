import Foundation
import Wire

/// What a forwarded answer used and cost, read from the relayed bytes once they have all gone to the client: a usage
/// block where the answer has one (chat, embeddings, Responses, gpt-image-1, gpt-4o-transcribe), else the unit the
/// endpoint is priced by (image pixels, seconds of audio, characters spoken).
extension Gateway {
    func meter(_ facts: inout RequestFacts, body: ForwardedBody, answer: ByteRelay.Summary, contentType: String?) {
        let isJSON = contentType?.lowercased().contains("json") == true
        let json =
            isJSON && answer.completed && answer.captured.count == answer.bytes
            ? try? JSON.parse(answer.captured) : nil
        if let json {
            facts.response = json
            facts.upstreamModel = json["model"]?.stringValue
        } else {
            facts.response = ["content_type": .string(contentType ?? ""), "bytes": .int(answer.bytes)]
        }
        if let usage = json?["usage"], usage.objectValue != nil {
            if usage["prompt_tokens"] != nil {
                facts.usage = usage
            } else if let input = usage["input_tokens"]?.tokenCount {
                let output = usage["output_tokens"]?.tokenCount ?? 0
                facts.usage = [
                    "prompt_tokens": .int(input), "completion_tokens": .int(output),
                    "total_tokens": .int(usage["total_tokens"]?.tokenCount ?? input + output),
                ]
            }
            return
        }
        guard let price = prices.price(for: facts.deployment, upstreamModel: facts.upstreamModel) else { return }
        switch facts.operation {
        case .imageGeneration:
            let count = json?["data"]?.arrayValue?.count ?? 0
            let size = body.json?["size"]?.stringValue ?? "1024x1024"
            let sides = size.split(separator: "x").compactMap { Double($0) }
            let pixels = sides.count == 2 ? sides[0] * sides[1] : 1024 * 1024
            let hd = body.json?["quality"]?.stringValue == "hd"
            if let perPixel = hd ? price.pixelHD ?? price.pixel : price.pixel {
                facts.cost = pixels * Double(count) * perPixel
            }
        case .transcription:
            let seconds = json?["duration"]?.doubleValue ?? body.form?.file().flatMap { WAVAudio.duration($0.data) }
            if let seconds, let perSecond = price.second { facts.cost = seconds * perSecond }
        case .speech:
            let characters = body.json?["input"]?.stringValue?.count ?? 0
            if let perCharacter = price.character { facts.cost = Double(characters) * perCharacter }
        default:
            break
        }
    }
}
