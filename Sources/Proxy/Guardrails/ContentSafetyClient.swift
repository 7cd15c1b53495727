import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Wire

/// Azure AI Content Safety's two text calls the guardrails make: `text:shieldPrompt` (Prompt Shields) and
/// `text:analyze` (moderation), with the guardrail's key (`Ocp-Apim-Subscription-Key`) or an Entra ID token for
/// Cognitive Services. An error says the status and Azure's own message, never a key or token.
struct ContentSafetyClient: Sendable {
    struct Failure: Error {
        var reason: String
    }

    let client: HTTPClient
    let identity: EntraTokenProvider
    /// The most of an answer read (Content Safety's are a few hundred bytes).
    static let maximumAnswer = 1024 * 1024
    /// The most a call may send in one text (Azure refuses more: 10,000 characters).
    static let maximumText = 10_000

    /// Prompt Shields over `text` (in chunks Azure accepts): true when any chunk is an attack.
    func attackDetected(_ text: String, guardrail: GuardrailSettings, logger: Logger) async throws(Failure) -> Bool {
        for chunk in Self.chunks(text) {
            let answer = try await post(
                "text:shieldPrompt",
                body: ["userPrompt": .string(chunk), "documents": []],
                guardrail: guardrail,
                logger: logger
            )
            guard let verdict = answer.value(at: "userPromptAnalysis.attackDetected")?.boolValue else {
                throw Failure(reason: "Content Safety's answer has no userPromptAnalysis.attackDetected")
            }
            if verdict { return true }
        }
        return false
    }

    /// Moderation over `text`: each category's highest severity over the chunks, in the order Azure answered.
    func severities(_ text: String, guardrail: GuardrailSettings, logger: Logger) async throws(Failure)
        -> [(category: String, severity: Int)]
    {
        var highest: [(category: String, severity: Int)] = []
        for chunk in Self.chunks(text) {
            var body: JSONObject = [
                "text": .string(chunk), "categories": .array(guardrail.categories.map(JSON.string)),
                "outputType": "FourSeverityLevels",
            ]
            if let names = guardrail.blocklistNames {
                body["blocklistNames"] = .array(names.map(JSON.string))
                body["haltOnBlocklistHit"] = .bool(guardrail.haltOnBlocklistHit)
            }
            let answer = try await post("text:analyze", body: body, guardrail: guardrail, logger: logger)
            guard let analysis = answer["categoriesAnalysis"]?.arrayValue else {
                throw Failure(reason: "Content Safety's answer has no categoriesAnalysis")
            }
            for entry in analysis {
                guard let category = entry["category"]?.stringValue else { continue }
                let severity = entry["severity"]?.intValue ?? 0
                if let index = highest.firstIndex(where: { $0.category == category }) {
                    highest[index].severity = max(highest[index].severity, severity)
                } else {
                    highest.append((category, severity))
                }
            }
        }
        return highest
    }

    func post(_ operation: String, body: JSONObject, guardrail: GuardrailSettings, logger: Logger)
        async throws(Failure) -> JSON
    {
        var request = HTTPClientRequest(
            url: "\(guardrail.apiBase)/contentsafety/\(operation)?api-version=\(guardrail.apiVersion)"
        )
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let key = guardrail.apiKey {
            request.headers.add(name: "ocp-apim-subscription-key", value: key)
        } else if let token = guardrail.bearerToken {
            request.headers.add(name: "authorization", value: "Bearer \(token)")
        } else if let credential = guardrail.entra {
            do throws(EntraTokenError) {
                let token = try await identity.token(credential)
                request.headers.add(name: "authorization", value: "Bearer \(token)")
            } catch {
                throw Failure(reason: "no Entra ID token for Content Safety: \(error.reason)")
            }
        }
        request.body = .bytes(JSON.object(body).byteBuffer())
        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: .init(guardrail.timeout), logger: logger)
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: Self.maximumAnswer)
        } catch {
            let reason = (error as? HTTPClientError).map(\.shortDescription) ?? "\(type(of: error))"
            throw Failure(reason: "Content Safety is unreachable (\(reason))")
        }
        let answer = try? JSON.parse(bytes.readableBytesView)
        guard status == 200, let answer else {
            let message = answer?.value(at: "error.message")?.stringValue ?? "no error message"
            throw Failure(reason: "Content Safety answered \(status): \(message.prefix(300))")
        }
        return answer
    }

    /// `text` in pieces of at most `maximumText` characters (LiteLLM splits Prompt Shields input the same way).
    static func chunks(_ text: String) -> [String] {
        guard text.count > maximumText else { return [text] }
        var chunks: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            chunks.append(String(rest.prefix(maximumText)))
            rest = rest.dropFirst(maximumText)
        }
        return chunks
    }
}
