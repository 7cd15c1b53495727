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

    /// Prompt Shields over `text` (in chunks Azure accepts): true when any chunk is an attack. All the chunks'
    /// calls share the guardrail's `timeout`.
    func attackDetected(_ text: String, guardrail: GuardrailSettings, logger: Logger) async throws(Failure) -> Bool {
        let deadline = NIODeadline.now() + .nanoseconds(Self.nanoseconds(guardrail.timeout))
        for chunk in Self.chunks(text) {
            let answer = try await post(
                "text:shieldPrompt",
                body: ["userPrompt": .string(chunk), "documents": []],
                guardrail: guardrail,
                deadline: deadline,
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
        let deadline = NIODeadline.now() + .nanoseconds(Self.nanoseconds(guardrail.timeout))
        for chunk in Self.chunks(text) {
            var body: JSONObject = [
                "text": .string(chunk), "categories": .array(guardrail.categories.map(JSON.string)),
                "outputType": "FourSeverityLevels",
            ]
            if let names = guardrail.blocklistNames {
                body["blocklistNames"] = .array(names.map(JSON.string))
                body["haltOnBlocklistHit"] = .bool(guardrail.haltOnBlocklistHit)
            }
            let answer = try await post(
                "text:analyze",
                body: body,
                guardrail: guardrail,
                deadline: deadline,
                logger: logger
            )
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

    /// One call. An Entra ID token Azure refuses (401: revoked, rotated) is dropped and the call made once more with
    /// a new one, as for deployments.
    func post(
        _ operation: String,
        body: JSONObject,
        guardrail: GuardrailSettings,
        deadline: NIODeadline,
        logger: Logger
    ) async throws(Failure) -> JSON {
        var renewed = false
        while true {
            var token: String?
            if guardrail.apiKey == nil, guardrail.bearerToken == nil, let credential = guardrail.entra {
                do throws(EntraTokenError) {
                    token = try await identity.token(credential)
                } catch {
                    throw Failure(reason: "no Entra ID token for Content Safety: \(error.reason)")
                }
            }
            let (status, answer) = try await call(
                operation,
                body: body,
                guardrail: guardrail,
                token: token,
                deadline: deadline,
                logger: logger
            )
            if status == 401, !renewed, let token, let credential = guardrail.entra {
                identity.invalidate(credential, token: token)
                renewed = true
                continue
            }
            guard status == 200, let answer else {
                let message = answer?.value(at: "error.message")?.stringValue ?? "no error message"
                throw Failure(reason: "Content Safety answered \(status): \(message.prefix(300))")
            }
            return answer
        }
    }

    func call(
        _ operation: String,
        body: JSONObject,
        guardrail: GuardrailSettings,
        token: String?,
        deadline: NIODeadline,
        logger: Logger
    ) async throws(Failure) -> (Int, JSON?) {
        var request = HTTPClientRequest(
            url: "\(guardrail.apiBase)/contentsafety/\(operation)?api-version=\(guardrail.apiVersion)"
        )
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let key = guardrail.apiKey {
            request.headers.add(name: "ocp-apim-subscription-key", value: key)
        } else if let bearer = guardrail.bearerToken ?? token {
            request.headers.add(name: "authorization", value: "Bearer \(bearer)")
        }
        request.body = .bytes(JSON.object(body).byteBuffer())
        do {
            let response = try await client.execute(request, deadline: deadline, logger: logger)
            let bytes = try await response.body.collect(upTo: Self.maximumAnswer)
            return (Int(response.status.code), try? JSON.parse(bytes.readableBytesView))
        } catch {
            let reason = (error as? HTTPClientError).map(\.shortDescription) ?? "\(type(of: error))"
            throw Failure(reason: "Content Safety is unreachable (\(reason))")
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
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
