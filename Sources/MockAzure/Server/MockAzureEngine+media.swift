import Foundation
import Wire

/// Images, audio transcription and speech on a deployment (`/openai/deployments/{name}/images/generations`,
/// `…/audio/transcriptions`, `…/audio/speech`): answers in Azure's shapes made from the request — a 1×1 PNG per
/// image, a fixed transcript (its duration read from a WAV upload), MP3 frames in proportion to the input text.
extension MockAzureEngine {
    enum MediaOperation: String {
        case images = "images/generations"
        case transcription = "audio/transcriptions"
        case speech = "audio/speech"

        var kind: Deployment.Kind {
            switch self {
            case .images: .images
            case .transcription: .transcription
            case .speech: .speech
            }
        }
    }

    /// The transcript every upload gets (a recording's words do not matter to a proxy).
    static let transcript = "The quick brown fox jumps over the lazy dog."
    /// A 1×1 transparent PNG.
    static let pixelPNG =
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="

    /// nil when the path is not a media operation's.
    func media(_ request: IncomingRequest, now: Double) -> MockReply? {
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 5, parts[0] == "openai", parts[1] == "deployments",
            let operation = MediaOperation(rawValue: parts[3...].joined(separator: "/"))
        else { return nil }
        let name = parts[2].removingPercentEncoding ?? parts[2]
        let known = fixtures.deployments[name]
        let deployment = known ?? Deployment(name: name, model: name, kind: operation.kind)
        let headers = AzureHeaders.make(
            region: configuration.region,
            deployment: deployment,
            clientRequestID: request.header("x-ms-client-request-id"),
            remaining: nil,
            stream: false
        )
        func error(_ failure: (status: Int, body: JSON), extra: [(String, String)] = []) -> MockReply {
            .json(failure.status, failure.body, headers: AzureHeaders.merge(headers, extra))
        }
        guard request.method == "POST" else { return error(AzureError.resourceNotFound) }
        guard let version = request.queryItem("api-version"), fixtures.apiVersions.contains(version) else {
            return error(AzureError.resourceNotFound)
        }
        if let failure = authenticate(request) { return error(failure) }
        guard known != nil || fixtures.deployments.isEmpty else { return error(AzureError.deploymentNotFound) }
        guard deployment.kind == operation.kind else {
            let message = """
                The \(operation.rawValue) operation does not work with the specified model, \(deployment.model). \
                Please choose different model and try again.
                """
            return error((400, AzureError.body(code: "OperationNotSupported", message: message)))
        }
        if let header = request.header("x-mock-fault"), let plan = try? FaultPlan.parse(header),
            case .status(let status) = sequencer.next(plan, key: header + "|" + name + "|media")
        {
            return faultReply(status: status, apiVersion: version, deployment: deployment) { failure, _, extra in
                error(failure, extra: extra)
            }
        }
        switch operation {
        case .images: return image(request, deployment: deployment, now: now, headers: headers, error: { error($0) })
        case .transcription: return transcription(request, headers: headers, error: { error($0) })
        case .speech: return speech(request, headers: headers, error: { error($0) })
        }
    }

    func image(
        _ request: IncomingRequest,
        deployment: Deployment,
        now: Double,
        headers: [(String, String)],
        error: ((status: Int, body: JSON)) -> MockReply
    ) -> MockReply {
        let body: JSON
        switch MockAzureEngine.objectBody(request) {
        case .success(let object): body = object
        case .failure(let refusal): return error(refusal.failure)
        }
        guard let prompt = body["prompt"]?.stringValue, !prompt.isEmpty else {
            return error(AzureError.missingParameter("prompt"))
        }
        let count = body["n"]?.intValue ?? 1
        guard (1 ... 10).contains(count) else {
            return error(AzureError.invalidRequest(message: "n must be between 1 and 10.", param: "n", code: nil))
        }
        let isGPTImage = deployment.model.hasPrefix("gpt-image")
        let filters: JSON = [
            "hate": ["filtered": false, "severity": "safe"], "self_harm": ["filtered": false, "severity": "safe"],
            "sexual": ["filtered": false, "severity": "safe"], "violence": ["filtered": false, "severity": "safe"],
        ]
        let wantsBase64 = isGPTImage || body["response_format"]?.stringValue == "b64_json"
        let images: [JSON] = (0 ..< count).map { index in
            var item: JSONObject = ["content_filter_results": filters]
            if wantsBase64 {
                item["b64_json"] = .string(MockAzureEngine.pixelPNG)
            } else {
                item["url"] = .string(
                    "https://dalleprodsec.blob.core.windows.net/private/images/mock-\(Int(now))-\(index).png?se=mock"
                )
            }
            if !isGPTImage { item["revised_prompt"] = .string("A detailed picture of " + prompt) }
            return .object(item)
        }
        var answer: JSONObject = [
            "created": .int(Int(now)), "data": .array(images),
            "prompt_filter_results": [["prompt_index": 0, "content_filter_results": filters]],
        ]
        if isGPTImage {
            let input = max(1, prompt.utf8.count / 4)
            let output = 272 * count
            answer["usage"] = [
                "input_tokens": .int(input), "output_tokens": .int(output), "total_tokens": .int(input + output),
                "input_tokens_details": ["text_tokens": .int(input), "image_tokens": 0],
            ]
        }
        return .json(200, .object(answer), headers: headers)
    }

    func transcription(
        _ request: IncomingRequest,
        headers: [(String, String)],
        error: ((status: Int, body: JSON)) -> MockReply
    ) -> MockReply {
        guard let boundary = MultipartForm.boundary(contentType: request.header("content-type")),
            let form = MultipartForm(body: request.body, boundary: boundary)
        else {
            let message = "Invalid content type. multipart/form-data is required."
            return error(AzureError.invalidRequest(message: message, param: nil, code: nil))
        }
        guard let file = form.file() else { return error(AzureError.missingParameter("file")) }
        let duration = WAVAudio.duration(file.data) ?? Double(file.data.count) / 16_000
        let text = MockAzureEngine.transcript
        var plain = headers.filter { $0.0 != "content-type" }
        switch form.field("response_format") ?? "json" {
        case "text":
            plain.append(("content-type", "text/plain; charset=utf-8"))
            return .body(status: 200, headers: plain, text: Array((text + "\n").utf8))
        case "srt", "vtt":
            plain.append(("content-type", "text/plain; charset=utf-8"))
            let end = String(format: "00:00:%06.3f", min(duration, 59.999))
            return .body(status: 200, headers: plain, text: Array("1\n00:00:00,000 --> \(end)\n\(text)\n".utf8))
        case "verbose_json":
            let segment: JSON = [
                "id": 0, "seek": 0, "start": 0.0, "end": .double(duration), "text": .string(text), "tokens": [],
                "temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.0, "no_speech_prob": 0.01,
            ]
            let answer: JSON = [
                "task": "transcribe", "language": .string(form.field("language") ?? "english"),
                "duration": .double(duration), "text": .string(text), "segments": [segment],
            ]
            return .json(200, answer, headers: headers)
        default:
            return .json(200, ["text": .string(text)], headers: headers)
        }
    }

    func speech(
        _ request: IncomingRequest,
        headers: [(String, String)],
        error: ((status: Int, body: JSON)) -> MockReply
    ) -> MockReply {
        let body: JSON
        switch MockAzureEngine.objectBody(request) {
        case .success(let object): body = object
        case .failure(let refusal): return error(refusal.failure)
        }
        guard let input = body["input"]?.stringValue, !input.isEmpty else {
            return error(AzureError.missingParameter("input"))
        }
        guard body["voice"]?.stringValue != nil else { return error(AzureError.missingParameter("voice")) }
        let types = [
            "mp3": "audio/mpeg", "opus": "audio/ogg", "aac": "audio/aac", "flac": "audio/flac",
            "wav": "audio/wav", "pcm": "audio/pcm",
        ]
        let type = types[body["response_format"]?.stringValue ?? "mp3"] ?? "audio/mpeg"
        // One 128 kbit/s MPEG-1 layer III frame (417 bytes, 26 ms) per input character: roughly speech's pace.
        let frame: [UInt8] = [0xFF, 0xFB, 0x90, 0x64] + [UInt8](repeating: 0, count: 413)
        var audio: [UInt8] = []
        for _ in 0 ..< min(input.count, 4096) { audio += frame }
        let plain = headers.filter { $0.0 != "content-type" } + [("content-type", type)]
        return .body(status: 200, headers: plain, text: audio)
    }
}
