import Foundation
import Logging
import NIOHTTP1
import Wire

extension Gateway {
    /// What a forwarded call brought: its bytes as they go up, and what the proxy reads from them (the JSON body's
    /// members or the form's fields) to route, check, price and log.
    struct ForwardedBody {
        var upstream: UpstreamRequestBuilder.Forwarded
        var json: JSONObject?
        var form: MultipartForm?

        init(_ call: ProxyCall) {
            let bytes = Array(call.body.readableBytesView)
            let contentType = call.header("content-type")
            upstream = .init(method: HTTPMethod(rawValue: call.method), contentType: contentType, body: bytes)
            if contentType?.lowercased().contains("json") == true || contentType == nil {
                json = (try? JSON.parse(bytes))?.objectValue
            }
            form = MultipartForm.boundary(contentType: contentType).flatMap { MultipartForm(body: bytes, boundary: $0) }
        }

        /// The model the body names (`model` in JSON or in the form).
        var model: String? { json?["model"]?.stringValue ?? form?.field("model") }

        /// The request as the spend row keeps it: the JSON body, or the form's fields and files' names and sizes.
        var logged: JSONObject {
            if var json {
                for key in GatewayRequest.credentialKeys where json[key] != nil { json[key] = "***" }
                return json
            }
            var fields = JSONObject()
            for part in form?.parts ?? [] {
                fields[part.name] =
                    GatewayRequest.credentialKeys.contains(part.name)
                    ? "***"
                    : part.filename.map { .string("<file \($0), \(part.data.count) bytes>") } ?? .string(part.text)
            }
            return fields
        }

        /// The body as it goes to `deployment`: its `model` (JSON or form field) the deployment's own, as LiteLLM
        /// sends it (an OpenAI deployment or Azure's v1 path reads it; the group's name would be unknown there).
        func naming(_ deployment: ModelDeployment) -> UpstreamRequestBuilder.Forwarded {
            var upstream = self.upstream
            let model = JSON.string(deployment.upstreamModel)
            if var json, json["model"] != nil, json["model"] != model {
                json["model"] = model
                upstream.body = JSON.object(json).serializedBytes()
            } else if var form, let boundary = MultipartForm.boundary(contentType: upstream.contentType),
                let index = form.parts.firstIndex(where: { $0.name == "model" && $0.filename == nil }),
                form.parts[index].text != deployment.upstreamModel
            {
                form.parts[index].data = Array(deployment.upstreamModel.utf8)
                upstream.body = form.encoded(boundary: boundary)
            }
            return upstream
        }
    }

    /// Images, audio, pass-through, files and batches: the body goes up as it came (only credentials are added), the
    /// answer comes back as it is, relayed as it arrives. Routed through a model group (with its retries and
    /// fallbacks) when the call names one; otherwise to the resource the environment or `files_settings` give.
    func forward(_ call: ProxyCall, caller: Caller, callID: String, base: [(String, String)], logger: Logger)
        async throws(ProxyError) -> ProxyOutcome
    {
        guard !call.bodyTooLarge else { throw .bodyTooLarge(limit: config.settings.maximumRequestBodySize) }
        let body = ForwardedBody(call)
        switch call.operation {
        case .imageGeneration, .transcription, .speech:
            guard let model = call.pathModel ?? body.model else { throw .missing("model") }
            return try await routedForward(
                call,
                body: body,
                model: model,
                caller: caller,
                callID: callID,
                base: base,
                logger: logger
            ) {
                deployment,
                upstream,
                token in
                self.builder.media(deployment, operation: call.operation, call: body.naming(deployment), token: token)
            }
        case .azurePassThrough, .openaiPassThrough:
            let path = call.endpoint ?? ""
            let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            // The path stays below the resource the credentials are for: no `.`, `..` or empty segment, encoded or not.
            for segment in segments {
                let decoded = segment.removingPercentEncoding ?? segment
                guard !decoded.isEmpty, decoded != ".", decoded != "..", !decoded.contains("/") else {
                    throw .invalidPassThroughPath(path)
                }
            }
            let provider: ModelDeployment.Provider = call.operation == .azurePassThrough ? .azure : .openai
            // A group of this route's provider (an Azure group is not reached through `/openai/…`).
            let isGroup = { (name: String) in
                self.router.groupName(for: caller.teamAliases[name] ?? name).flatMap {
                    self.router.deployments(for: $0)?.first?.provider
                } == provider
            }
            // The group is Azure's deployment segment (`openai/deployments/{group}/…`), or, on a path that names no
            // deployment, the JSON `model` of a model endpoint; a path naming a deployment that is no group goes to
            // the resource as it is.
            let deploymentIndex =
                segments.count > 3 && segments[0] == "openai" && segments[1] == "deployments" ? 2 : nil
            let bodyModel = body.json?["model"]?.stringValue.flatMap {
                deploymentIndex == nil && Gateway.modelEndpoints.contains(where: path.hasSuffix) ? $0 : nil
            }
            if let model = deploymentIndex.map({ segments[$0] }) ?? bodyModel, isGroup(model) {
                var routedCall = call
                routedCall.operation = .routedPassThrough
                return try await routedForward(
                    routedCall,
                    body: body,
                    model: model,
                    caller: caller,
                    callID: callID,
                    base: base,
                    logger: logger
                ) { deployment, upstream, token in
                    var upstreamPath = segments
                    if let deploymentIndex { upstreamPath[deploymentIndex] = deployment.upstreamModel }
                    return self.builder.passThrough(
                        deployment,
                        path: upstreamPath.joined(separator: "/"),
                        query: call.query,
                        call: deploymentIndex == nil ? body.naming(deployment) : upstream,
                        token: token
                    )
                }
            }
            try checkEveryModelAllowed(caller)
            let named = body.json?["model"]?.stringValue ?? deploymentIndex.map { segments[$0] } ?? ""
            let deployment = try passThroughResource(provider, model: named)
            return try await forward(
                call,
                body: body,
                to: deployment,
                caller: caller,
                callID: callID,
                base: base,
                logger: logger
            ) {
                upstream,
                token in
                var request = self.builder.passThrough(
                    deployment,
                    path: path,
                    query: call.query,
                    call: upstream,
                    token: token
                )
                // LiteLLM sends the key both ways; either is enough for Azure.
                if token == nil, provider == .azure, let key = deployment.apiKey {
                    request.headers.append(("authorization", "Bearer " + key))
                }
                return request
            }
        default:
            // A batch's lines name any deployment on the resource, and files are the resource's: every model, always.
            try checkEveryModelAllowed(caller)
            let deployment = try fileResource(call, body: body, caller: caller)
            let path = Gateway.filesPath(call)
            return try await forward(
                call,
                body: body,
                to: deployment,
                caller: caller,
                callID: callID,
                base: base,
                logger: logger
            ) {
                upstream,
                token in
                self.builder.filesOrBatches(deployment, path: path, query: call.query, call: upstream, token: token)
            }
        }
    }

    /// Through the model group `model` names: the key's access, budget and limits, the router's retries and
    /// fallbacks (an upstream error answer before the first byte is retried like a chat call's).
    func routedForward(
        _ call: ProxyCall,
        body: ForwardedBody,
        model: String,
        caller: Caller,
        callID: String,
        base: [(String, String)],
        logger: Logger,
        build: @escaping @Sendable (ModelDeployment, UpstreamRequestBuilder.Forwarded, String?) -> UpstreamRequest
    ) async throws(ProxyError) -> ProxyOutcome {
        let named = caller.teamAliases[model] ?? model
        guard let group = router.groupName(for: named) else { throw .unknownModel(model, route: call.route) }
        try checkAccess(caller, model: model, group: group)
        if let refusal = caller.budgetRefusal { throw refusal.error }
        try keys?.admit(caller)
        let plan = RetryPlan(
            requestedRetries: nil,
            estimatedTokens: 0,
            region: caller.endUserRegion,
            sleep: sleep,
            logger: logger
        )
        let observed = { self.attemptEnded(call, caller, group, $0, $1, cooled: $2) }
        let result = await router.route(group: group, plan: plan, observed: observed) {
            deployment,
            group,
            counts throws(ProxyError) in
            var facts = RequestFacts(
                callID: callID,
                call: call,
                caller: caller,
                deployment: deployment,
                request: body.logged
            )
            facts.attemptStartedAt = Date()
            facts.requestedModel = group
            facts.retries = counts.retries
            facts.fallbacks = counts.fallbacks
            return try await self.relay(
                call,
                body: body,
                facts: facts,
                base: base + counts.headers,
                routed: true,
                logger: logger
            ) {
                token in
                build(deployment, body.upstream, token)
            }
        }
        switch result {
        case .success(let outcome): return outcome
        case .failure(let failure):
            var facts = RequestFacts(
                callID: callID,
                call: call,
                caller: caller,
                deployment: failure.deployment,
                request: body.logged
            )
            facts.requestedModel = group
            facts.error = failure.error
            complete(facts)
            return .error(failure.error, headers: base + failure.counts.headers)
        }
    }

    /// To one resource, no retries: its answer, whatever its status, goes back as it is.
    func forward(
        _ call: ProxyCall,
        body: ForwardedBody,
        to deployment: ModelDeployment,
        caller: Caller,
        callID: String,
        base: [(String, String)],
        logger: Logger,
        build: @escaping @Sendable (UpstreamRequestBuilder.Forwarded, String?) -> UpstreamRequest
    ) async throws(ProxyError) -> ProxyOutcome {
        if let refusal = caller.budgetRefusal { throw refusal.error }
        try keys?.admit(caller)
        let facts = RequestFacts(
            callID: callID,
            call: call,
            caller: caller,
            deployment: deployment,
            request: body.logged
        )
        do throws(ProxyError) {
            return try await relay(call, body: body, facts: facts, base: base, routed: false, logger: logger) { token in
                build(body.upstream, token)
            }
        } catch {
            var failed = facts
            failed.error = error
            complete(failed)
            // Answered here, not rethrown: `complete` has counted it (a rethrow would count it again as refused).
            return .error(error, headers: base)
        }
    }

    /// Sends the call and relays the answer; the spend row is written when the relay ends. `routed`: an error
    /// answer is refused (so the router can retry it) instead of relayed.
    func relay(
        _ call: ProxyCall,
        body: ForwardedBody,
        facts: RequestFacts,
        base: [(String, String)],
        routed: Bool,
        logger: Logger,
        build: (String?) throws(ProxyError) -> UpstreamRequest
    ) async throws(ProxyError) -> ProxyOutcome {
        let deployment = facts.deployment
        let timeout = configuredTimeout(of: deployment)
        let (upstream, response) = try await send(
            on: deployment,
            stream: true,
            request: call,
            timeout: timeout,
            logger: logger,
            build: build
        )
        // LiteLLM's headers for the deployment (none for a resource reached without a group).
        let litellm =
            deployment.id.isEmpty
            ? []
            : ResponseBuilder.headers(
                deployment: deployment,
                group: deployment.modelName,
                apiBase: upstream.apiBase,
                upstream: response.headers
            )
        let status = Int(response.status.code)
        if routed, status >= 400 {
            let bytes = try await transport.collect(response, timeout: timeout, deployment: deployment, logger: logger)
            throw ResponseBuilder.refusal(status: status, body: bytes, headers: litellm, deployment: deployment)
        }
        var headers = base + litellm
        for name in ["content-type", "content-disposition"] {
            if let value = response.headers.first(name: name) { headers.append((name, value)) }
        }
        guard case .stream(let streamed) = response.body else { throw .unreachable(deployment: deployment, reason: "") }
        var relay = ByteRelay(body: streamed)
        relay.idleTimeout = .milliseconds(Int64(timeout * 1000))
        let contentType = response.headers.first(name: "content-type")
        // A stream is priced by its last event with usage, so its end is kept too; other bodies by their start.
        if contentType?.lowercased().contains("event-stream") == true { relay.tailLimit = 64 * 1024 }
        relay.onFinish = { summary in
            var facts = facts
            facts.firstByteAt = summary.firstByteDate
            if status >= 400 {
                facts.error = ResponseBuilder.refusal(
                    status: status,
                    body: summary.captured,
                    headers: [],
                    deployment: deployment
                )
            } else if let reason = summary.upstreamError {
                facts.error = .unreachable(deployment: deployment, reason: reason)
            } else {
                self.meter(&facts, body: body, answer: summary, contentType: contentType)
            }
            self.complete(facts)
        }
        return .forward(status: status, headers: headers, relay: relay)
    }

    /// The endpoints whose JSON `model` routes `/azure/{endpoint}` through a group (LiteLLM's list).
    static let modelEndpoints = [
        "responses", "chat/completions", "completions", "embeddings", "images/generations", "audio/speech",
    ]
}
