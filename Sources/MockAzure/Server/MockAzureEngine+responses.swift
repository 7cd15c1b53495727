import Foundation
import Wire

/// A response Azure keeps (`store` not false): what `GET`, `DELETE` and `input_items` read.
struct StoredResponse: Sendable {
    var response: JSON
    var inputItems: [JSON]
}

/// The Responses API: `POST /openai/v1/responses` (api-version optional: `v1`, `preview`, `latest`) or
/// `/openai/responses?api-version=2025-03-01-preview` and later; `GET`/`DELETE …/responses/{id}`,
/// `GET …/{id}/input_items`. The answer is the chat answer the same prompt gets (scenarios and directives apply),
/// in the Responses shape; streams with Azure's events and timing; responses kept unless `store` is false.
extension MockAzureEngine {
    /// nil when the path is not the Responses API's.
    func responses(_ request: IncomingRequest, now: Double) -> MockReply? {
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.count >= 2, parts[0] == "openai" else { return nil }
        let isV1 = parts.count >= 3 && parts[1] == "v1" && parts[2] == "responses"
        guard isV1 || parts[1] == "responses" else { return nil }
        let rest = Array(parts.dropFirst(isV1 ? 3 : 2))
        let headers = resourceHeaders(request)
        func error(_ failure: (status: Int, body: JSON)) -> MockReply {
            .json(failure.status, failure.body, headers: headers)
        }
        if let refusal = resourceRefusal(request, isV1: isV1, since: "2025-03-01") { return error(refusal) }
        let version = request.queryItem("api-version")
        switch (request.method, rest.count) {
        case ("POST", 0): return createResponse(request, apiVersion: version ?? "v1", now: now, headers: headers)
        case ("GET", 1), ("DELETE", 1),
            ("GET", 2) where rest[1] == "input_items":
            let id = rest[0].removingPercentEncoding ?? rest[0]
            let stored = responseStore.withLockedValue { store -> StoredResponse? in
                request.method == "DELETE" ? store.removeValue(forKey: id) : store[id]
            }
            guard let stored else {
                let missing = AzureError.invalidRequest(
                    message: "Response with id '\(id)' not found.",
                    param: nil,
                    code: nil
                )
                return error((404, missing.body))
            }
            if request.method == "DELETE" {
                return .json(200, ["id": .string(id), "object": "response", "deleted": true], headers: headers)
            }
            if rest.count == 2 {
                let items = stored.inputItems
                return .json(
                    200,
                    [
                        "object": "list", "data": .array(items), "first_id": items.first?["id"] ?? nil,
                        "last_id": items.last?["id"] ?? nil, "has_more": false,
                    ],
                    headers: headers
                )
            }
            return .json(200, stored.response, headers: headers)
        default:
            return error(AzureError.resourceNotFound)
        }
    }

    func createResponse(_ request: IncomingRequest, apiVersion: String, now: Double, headers: [(String, String)])
        -> MockReply
    {
        func error(_ failure: (status: Int, body: JSON)) -> MockReply {
            .json(failure.status, failure.body, headers: headers)
        }
        let body: JSON
        switch MockAzureEngine.objectBody(request) {
        case .success(let object): body = object
        case .failure(let refusal): return error(refusal.failure)
        }
        guard let name = body["model"]?.stringValue else { return error(AzureError.missingParameter("model")) }
        let deployment = fixtures.deployments[name] ?? Deployment(name: name, model: name, kind: .chat)
        guard fixtures.deployments.isEmpty || fixtures.deployments[name] != nil, deployment.kind == .chat else {
            return error(AzureError.deploymentNotFound)
        }
        if let previous = body["previous_response_id"]?.stringValue,
            responseStore.withLockedValue({ $0[previous] }) == nil
        {
            return error(
                AzureError.invalidRequest(
                    message: "Previous response with id '\(previous)' not found.",
                    param: "previous_response_id",
                    code: "previous_response_not_found"
                )
            )
        }
        let messages = MockAzureEngine.chatMessages(body)
        let directives = MockDirectives(text: messages.last?["content"]?.stringValue)
        var fault = Fault.none
        if let header = request.header("x-mock-fault") ?? directives.fault(for: deployment.name),
            let plan = try? FaultPlan.parse(header)
        {
            fault = sequencer.next(plan, key: header + "|" + deployment.name + "|responses")
            if case .status(let status) = fault {
                return faultReply(status: status, apiVersion: apiVersion, deployment: deployment) { failure, _, extra in
                    .json(failure.status, failure.body, headers: AzureHeaders.merge(headers, extra))
                }
            }
        }
        let chat = MockRequest(
            deployment: deployment.name,
            operation: .chatCompletions,
            apiVersion: apiVersion,
            body: ["model": .string(deployment.name), "messages": .array(messages)],
            scenarioName: request.header("x-mock-scenario") ?? directives.scenario(for: deployment.name)
        )
        let answer: JSON
        switch matcher.select(chat) {
        case .scenario(let scenario, _) where scenario.response.status == 200 && scenario.response.body != nil:
            answer = scenario.response.body ?? nil
        case .unknownName(let scenario):
            return MockAzureEngine.mockError("x-mock-scenario: no scenario named '\(scenario)'")
        default:
            answer = generator.chat(chat, deployment: deployment)
        }
        let hex = (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased()
        let id = "resp_" + hex.prefix(50)
        let response = ResponsesSynthesizer.response(
            request: body,
            chat: answer,
            deployment: deployment,
            id: id,
            createdAt: Int(now)
        )
        if body["store"]?.boolValue != false {
            let items = MockAzureEngine.inputItems(body, idSuffix: String(hex.prefix(50)))
            responseStore.withLockedValue { $0[id] = StoredResponse(response: response, inputItems: items) }
        }
        guard body["stream"]?.boolValue == true else { return .json(200, response, headers: headers) }
        let frames = ResponsesSynthesizer.events(for: response).map { frame in
            var frame = frame
            frame.delayMs = configuration.speed > 0 ? frame.delayMs / configuration.speed : 0
            return frame
        }
        let streamHeaders = AzureHeaders.merge(headers, [("content-type", "text/event-stream; charset=utf-8")])
        return apply(fault, to: .stream(status: 200, headers: streamHeaders, frames: frames, ending: .close))
    }

    /// The conversation a Responses request makes, as chat messages: `instructions` as the system message, then
    /// `input` (a string, or message items whose content is a string or text parts).
    static func chatMessages(_ body: JSON) -> [JSON] {
        var messages: [JSON] = []
        if let instructions = body["instructions"]?.stringValue {
            messages.append(["role": "system", "content": .string(instructions)])
        }
        if let text = body["input"]?.stringValue {
            messages.append(["role": "user", "content": .string(text)])
        }
        for item in body["input"]?.arrayValue ?? [] where item["role"] != nil {
            messages.append(["role": item["role"] ?? "user", "content": .string(text(of: item["content"]))])
        }
        return messages
    }

    static func text(of content: JSON?) -> String {
        if let text = content?.stringValue { return text }
        return (content?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined(separator: "\n")
    }

    /// The input as Azure lists it: message items with ids and `input_text` parts.
    static func inputItems(_ body: JSON, idSuffix: String) -> [JSON] {
        chatMessages(body).filter { $0["role"] != "system" }.enumerated().map { index, message in
            [
                "id": .string("msg_\(index)" + idSuffix.dropFirst(1)), "type": "message", "status": "completed",
                "content": [["type": "input_text", "text": message["content"] ?? ""]],
                "role": message["role"] ?? "user",
            ]
        }
    }

    /// The headers of an answer no deployment gave (Responses, files, batches).
    func resourceHeaders(_ request: IncomingRequest) -> [(String, String)] {
        AzureHeaders.make(
            region: configuration.region,
            deployment: nil,
            clientRequestID: request.header("x-ms-client-request-id"),
            remaining: nil,
            stream: false
        )
    }

    /// Azure's checks on a call with no deployment in its path: the api-version (on `/openai/v1/` absent or one of
    /// the v1 names; elsewhere one Azure serves, from `since` on), then the key. nil when the call passes.
    func resourceRefusal(_ request: IncomingRequest, isV1: Bool, since: String = "") -> (status: Int, body: JSON)? {
        let version = request.queryItem("api-version")
        if isV1 {
            if let version, !FixtureSet.v1APIVersions.contains(version) { return AzureError.apiVersionNotSupported }
        } else {
            guard let version, fixtures.apiVersions.contains(version), version.prefix(10) >= since else {
                return AzureError.resourceNotFound
            }
        }
        return authenticate(request)
    }
}
