import AsyncHTTPClient
import Foundation
import Logging
import Tracing
import Wire

/// The request path, free of the HTTP server: one `handle` from a `ProxyCall` to a `ProxyOutcome`. The NIO fast path
/// and the Hummingbird routes only turn bytes into the call and the outcome back into bytes.
public final class Gateway: Sendable {
    /// The LiteLLM release whose behaviour this gateway gives (`x-litellm-version`, readiness).
    public static let version = "1.110.2"
    /// The most retries a request's own `num_retries` gets (the config's settings are the operator's and not capped).
    public static let maximumRequestedRetries = 10

    public let config: ProxyConfig
    public let router: ModelRouter
    public let authenticator: Authenticator
    let builder: UpstreamRequestBuilder
    let transport: UpstreamTransport
    /// Entra ID tokens for deployments without an api key.
    public let identity: EntraTokenProvider
    /// Spend logging, when a store is configured.
    public let spend: SpendRecorder?
    /// Virtual keys, when a store is configured.
    public let keys: KeyService?
    /// Prometheus metrics, when enabled (`callbacks: ["prometheus"]` or `--metrics-port`).
    public let metrics: ProxyMetrics?
    /// The response cache, when `litellm_settings.cache` is on.
    public let cache: ResponseCache?
    /// The config's guardrails, when it has any.
    let guardrails: Guardrails?
    /// Where request spans go (`callbacks: ["otel"]`), when tracing is on.
    let tracer: (any Tracer)?
    let logger: Logger
    /// How the router waits before a retry (injected by tests that control time).
    let sleep: @Sendable (Duration) async throws -> Void
    let prices = PriceTable.shipped
    /// Where pass-through, files and batches find `AZURE_API_BASE`, `AZURE_API_KEY` and the like.
    let environment: [String: String]

    public init(
        config: ProxyConfig,
        transport: UpstreamTransport,
        spend: SpendRecorder? = nil,
        keys: KeyService? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger,
        metrics: ProxyMetrics? = nil,
        identity: EntraTokenProvider? = nil,
        cache: ResponseCache? = nil,
        routerState: RouterState = RouterState(),
        tracer: (any Tracer)? = nil,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.config = config
        self.router = ModelRouter(config: config, state: routerState)
        self.authenticator = Authenticator(
            masterKey: config.settings.masterKey,
            extractor: KeyExtractor(customHeader: config.settings.auth.keyHeaderName),
            virtualKeys: keys,
            throttle: FailureThrottle(config.settings.auth.failedKeyThrottle)
        )
        var builder = UpstreamRequestBuilder(environment: environment)
        builder.dropParams = config.settings.dropParams
        self.builder = builder
        self.transport = transport
        self.identity =
            identity
            ?? EntraTokenProvider(environment: environment, logger: logger) { source, outcome in
                metrics?.tokenFetched(source: source, outcome: outcome)
            }
        self.spend = spend
        self.keys = keys
        self.metrics = metrics
        self.cache = cache
        self.logger = logger
        self.sleep = sleep
        self.environment = environment
        self.tracer = tracer
        self.guardrails =
            config.guardrails.isEmpty
            ? nil : Guardrails(config.guardrails, client: transport.client, identity: self.identity, logger: logger)
    }

    /// authenticate → a well-formed request → its model group → the router's retries and fallbacks, each attempt one
    /// upstream call whose answer is shaped for the client → the request's facts for spend, keys, router and metrics.
    public func handle(_ call: ProxyCall) async -> ProxyOutcome {
        guard let tracer else { return await serve(call, trace: nil) }
        let trace = RequestTrace(
            tracer: tracer,
            route: call.route,
            method: call.method,
            headers: call.headers,
            captureContent: config.settings.tracing?.captureMessageContent ?? false
        )
        return finishing(await serve(call, trace: trace), trace)
    }

    func serve(_ call: ProxyCall, trace: RequestTrace?) async -> ProxyOutcome {
        let callID = CallID.make()
        var logger = self.logger
        logger[metadataKey: "request_id"] = "\(callID)"
        let base: [(String, String)] = [("x-litellm-call-id", callID), ("x-litellm-version", Gateway.version)]
        metrics?.requestStarted()
        // What a refusal's metric labels name: the caller once known, the model once read.
        var known: (caller: Caller?, model: String?) = (nil, nil)
        do throws(ProxyError) {
            let caller = try await Self.traced(trace, "auth") { () async throws(ProxyError) in
                try await authenticator.authenticate(call.headers, clientIP: call.clientIP)
            }
            known.caller = caller
            if let id = call.responseID {
                return try await stored(call, id: id, caller: caller, callID: callID, base: base, logger: logger)
            }
            if call.operation.isForwarded {
                return try await forward(call, caller: caller, callID: callID, base: base, logger: logger)
            }
            var request = try GatewayRequest(
                call,
                caller: caller,
                callID: callID,
                baseHeaders: base,
                settings: config.settings,
                logger: logger
            )
            request.trace = trace
            request.queueTime = NumberText.seconds(ContinuousClock.now - call.started)
            known.model = request.model
            if let endUser = request.body["user"]?.stringValue, let accounts = keys?.accounts {
                try await accounts.admitEndUser(&request.caller, id: endUser, budgetStatus: keys?.budgetStatus ?? 400)
            }
            if request.call.operation == .chatCompletions, request.call.pathModel == nil,
                request.model.utf8.contains(UInt8(ascii: ",")),
                router.groupName(for: request.model) == nil
            {
                return await batch(request)
            }
            let group = try modelGroup(for: request)
            if let refusal = request.caller.budgetRefusal { throw refusal.error }
            try keys?.admit(request.caller)
            if let refusal = await guardRequest(&request, group: group) { return refusal }
            request.cache = Self.cacheable(request) ? cachePlan(request, group: group) : nil
            if let plan = request.cache, let hit = await cache?.lookup(plan),
                let outcome = served(hit, plan: plan, request: request, group: group)
            {
                return outcome
            }
            let observed = { [caller = request.caller] in self.attemptEnded(call, caller, group, $0, $1, cooled: $2) }
            let routing = trace?.start("router")
            let result = await router.route(group: group, plan: retryPlan(request), observed: observed) {
                deployment,
                group,
                counts throws(ProxyError) in
                try await self.attempt(request, on: deployment, group: group, counts: counts, under: routing)
            }
            routing?.end()
            switch result {
            case .success(let outcome): return outcome
            case .failure(let failure): return failed(request, failure)
            }
        } catch {
            return refused(call, error, caller: known.caller, model: known.model, headers: base, logger: logger)
        }
    }

    /// The configured group (or alias) the request names, if the caller's key may use it and its fallbacks.
    func modelGroup(for request: GatewayRequest) throws(ProxyError) -> String {
        let named = request.caller.teamAliases[request.model] ?? request.model
        guard let group = router.groupName(for: named) else {
            throw .unknownModel(request.model, route: request.call.route)
        }
        for (model, name) in [(request.model, group)]
            + (request.controls.fallbacks ?? []).map({
                ($0, router.groupName(for: $0) ?? $0)
            })
        {
            try checkAccess(request.caller, model: model, group: name)
        }
        return group
    }

    /// The caller's key, team and user may each use `group` (`model`: the name the refusal gives).
    func checkAccess(_ caller: Caller, model: String, group: String) throws(ProxyError) {
        guard Caller.allows(caller.keyModels, group) else { throw .modelNotAllowed(model) }
        guard Caller.allows(caller.teamModels, group) else {
            throw .modelNotAllowed(model, type: "team_model_access_denied")
        }
        guard Caller.allows(caller.userModels, group) else {
            throw .modelNotAllowed(model, type: "user_model_access_denied")
        }
    }

    func retryPlan(_ request: GatewayRequest) -> RetryPlan {
        let checksLimits = router.settings.checksLimits
        return RetryPlan(
            requestedRetries: request.controls.retries,
            requestedFallbacks: request.controls.fallbacks,
            primaryFailure: request.controls.primaryFailure(group: request.model),
            estimatedTokens: checksLimits ? TokenEstimate.prompt(of: ChatRequest(body: .object(request.body))) : 0,
            region: request.caller.endUserRegion,
            tags: request.routingTags,
            sleep: sleep,
            logger: request.logger
        )
    }
}
