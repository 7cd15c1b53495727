import Foundation
import Logging
import Wire

extension Gateway {
    /// A call on a stored response (retrieve, delete, input items, cancel): sent to the deployment its id names, with
    /// that deployment's credentials, if the caller's key may use its model group; answered with the id as the
    /// client knows it. A row with LiteLLM's `call_type` and no cost records it.
    func stored(_ call: ProxyCall, id: String, caller: Caller, callID: String, base: [(String, String)], logger: Logger)
        async throws(ProxyError) -> ProxyOutcome
    {
        let decoded = ResponseID.decode(id)
        guard let modelID = decoded.modelID, let deployment = router.deployment(id: modelID) else {
            throw .responseNotIssued
        }
        let group = deployment.modelName
        try checkAccess(caller, model: group, group: group)
        try keys?.admit(caller)
        let timeout = configuredTimeout(of: deployment)
        var facts = RequestFacts(
            callID: callID,
            call: call,
            caller: caller,
            deployment: deployment,
            request: ["response_id": .string(id)]
        )
        facts.requestedModel = group
        do throws(ProxyError) {
            let answer = try await storedAnswer(
                call,
                deployment: deployment,
                upstreamID: decoded.responseID,
                timeout: timeout,
                logger: logger
            )
            // No response on the row: its id is the created response's, which that row already holds as its key.
            complete(facts)
            return .json(200, answer.json, headers: base + answer.headers)
        } catch {
            facts.error = error
            complete(facts)
            // Answered here, not rethrown: `complete` has counted it (a rethrow would count it again as refused).
            return .error(error, headers: base)
        }
    }

    /// The upstream's answer for a call on a stored response, and LiteLLM's headers for it.
    func storedAnswer(
        _ call: ProxyCall,
        deployment: ModelDeployment,
        upstreamID: String,
        timeout: Double,
        logger: Logger
    ) async throws(ProxyError) -> (json: JSON, headers: [(String, String)]) {
        let (upstream, response) = try await send(
            on: deployment,
            stream: false,
            request: call,
            timeout: timeout,
            logger: logger
        ) { token in
            self.builder.stored(
                deployment,
                operation: call.operation,
                responseID: upstreamID,
                query: call.query,
                token: token
            )
        }
        let headers = ResponseBuilder.headers(
            deployment: deployment,
            group: deployment.modelName,
            apiBase: upstream.apiBase,
            upstream: response.headers
        )
        let bytes = try await transport.collect(response, timeout: timeout, deployment: deployment, logger: logger)
        guard response.status == .ok, let json = try? JSON.parse(bytes) else {
            throw ResponseBuilder.refusal(
                status: response.status == .ok ? 500 : Int(response.status.code),
                body: bytes,
                headers: headers,
                deployment: deployment
            )
        }
        return (
            call.operation == .listInputItems ? json : ResponsesShaper.answer(json, deployment: deployment), headers
        )
    }
}
