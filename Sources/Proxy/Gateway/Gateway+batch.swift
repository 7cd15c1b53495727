import Foundation
import NIOCore
import Wire

extension Gateway {
    /// LiteLLM's comma-separated `model` (`"gpt-4o,o4-mini"`) on `/chat/completions`: the request goes to each model
    /// at once, each as a request of its own (its key checks, retries, spend row), and the answer is a JSON array in
    /// the listed order. A model that fails stands in its place as an error object and the status stays 200, as
    /// LiteLLM answers. A stream cannot be split so: 400.
    func batch(_ request: GatewayRequest) async -> ProxyOutcome {
        // Each model's request counts itself in flight; the list does not.
        defer { metrics?.requestEnded() }
        let models = request.model.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard !request.isStream else {
            return .error(.wrongType("model", expected: "one model name when streaming (a list cannot stream)"))
        }
        let answers = await withTaskGroup(of: (Int, JSON).self) { group in
            for (index, model) in models.enumerated() {
                var body = request.body
                body["model"] = .string(model)
                var call = request.call
                call.body = JSON.object(body).byteBuffer()
                // Traced, each model's request is a child of the list's server span.
                if let trace = request.trace { trace.propagate(trace.root, into: &call.headers) }
                group.addTask { (index, Self.batchEntry(await self.handle(call), model: model)) }
            }
            var answers = [JSON](repeating: .null, count: models.count)
            for await (index, answer) in group { answers[index] = answer }
            return answers
        }
        return .json(200, .array(answers), headers: request.baseHeaders)
    }

    /// One model's answer in the array: its body, or LiteLLM's serialized error (`status_code`, `message`, `model`).
    static func batchEntry(_ outcome: ProxyOutcome, model: String) -> JSON {
        guard case .complete(let status, _, let bytes) = outcome else { return .null }
        let body = (try? JSON.parse(bytes.readableBytesView)) ?? .null
        guard status != 200 else { return body }
        return [
            "status_code": .int(status), "message": body.value(at: "error.message") ?? nil, "model": .string(model),
            "type": body.value(at: "error.type") ?? nil,
        ]
    }
}
