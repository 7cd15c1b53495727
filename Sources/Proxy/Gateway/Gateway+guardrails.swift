import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Wire

/// A request's `during_call` guardrails, started beside its upstream call; the answer waits for them.
final class GuardrailGate: Sendable {
    let task: Task<Guardrails.Pass, Never>

    init(_ work: @escaping @Sendable () async -> Guardrails.Pass) {
        task = Task(operation: work)
    }

    // A request that ends without waiting for the verdict (no deployment answered, the client left) stops it.
    deinit { task.cancel() }
}

extension Gateway {
    /// The request's `pre_call` guardrails, which may mask its body (what Azure gets and what is logged) or refuse
    /// it; then its `during_call` ones, started. nil: go on.
    func guardRequest(_ request: inout GatewayRequest, group: String) async -> ProxyOutcome? {
        guard let guardrails else { return nil }
        let selected = guardrails.selected(request.body, caller: request.caller)
        guard !selected.isEmpty else { return nil }
        request.guardrails = selected
        var body = request.body
        let pass = await guardrails.checkRequest(&body, selected, mode: .preCall)
        request.body = body
        request.guardrailRecords += pass.records
        if selected.contains(where: { $0.runs(in: .loggingOnly) }) {
            var logged = request.body
            let masked = await guardrails.checkRequest(&logged, selected, mode: .loggingOnly)
            request.loggedBody = logged
            request.guardrailRecords += masked.records
            request.maskLogged = { guardrails.maskLogged($0, selected) }
        }
        if let refusal = pass.refusal { return blocked(request, group: group, refusal) }
        if selected.contains(where: { $0.runs(in: .duringCall) }) {
            let snapshot = request.body
            request.duringCall = GuardrailGate {
                var body = snapshot
                return await guardrails.checkRequest(&body, selected, mode: .duringCall)
            }
        }
        return nil
    }

    /// Whether the response cache may answer: not when a guardrail must read the answer (`during_call`,
    /// `post_call`), since an entry another request stored was never shown to it.
    static func cacheable(_ request: GatewayRequest) -> Bool {
        !request.guardrails.contains { $0.runs(in: .duringCall) || $0.runs(in: .postCall) }
    }

    /// The answer's turn: the `during_call` guardrails' verdict, then `post_call` ones over a whole answer (which
    /// may mask it). Returns the refusal to answer instead, with the facts completed as a failure.
    func guardAnswer(_ request: GatewayRequest, _ facts: inout RequestFacts, answer: inout JSON?) async
        -> ProxyError?
    {
        guard let guardrails, !request.guardrails.isEmpty else { return nil }
        var refusal: ProxyError?
        if let gate = request.duringCall {
            let pass = await gate.task.value
            facts.guardrails += pass.records
            refusal = pass.refusal
        }
        if refusal == nil, var json = answer, request.guardrails.contains(where: { $0.runs(in: .postCall) }) {
            let pass = await guardrails.checkAnswer(&json, request.guardrails)
            facts.guardrails += pass.records
            refusal = pass.refusal
            answer = json
        }
        if let refusal {
            facts.error = refusal
            complete(facts, trace: request.trace)
        }
        return refusal
    }

    /// Refused by a `pre_call` guardrail: one failure row (with the guardrails' records) and the refusal.
    func blocked(_ request: GatewayRequest, group: String, _ refusal: ProxyError) -> ProxyOutcome {
        if let deployment = router.deployments(for: group)?.first {
            var facts = request.facts(on: deployment, counts: AttemptCounts())
            facts.attemptStartedAt = nil
            facts.error = refusal
            complete(facts, trace: request.trace)
        }
        return .error(refusal, headers: request.baseHeaders + Self.appliedGuardrails(request))
    }

    /// `x-litellm-applied-guardrails`: the request's guardrails, comma-separated, as LiteLLM sends it on answers and
    /// refusals (the ones it asked for or that are on by default, whether their hook has run yet or not).
    static func appliedGuardrails(_ request: GatewayRequest) -> [(String, String)] {
        request.guardrails.isEmpty
            ? [] : [("x-litellm-applied-guardrails", request.guardrails.map(\.name).joined(separator: ","))]
    }
}

/// What a held stream's post-call guardrails decided, for its spend row: their records, a refusal, the masked answer.
final class HeldVerdict: Sendable {
    let state = NIOLockedValueBox<(records: [GuardrailRecord], refusal: ProxyError?, answer: JSON?)>(([], nil, nil))
}

extension Gateway {
    /// A chat or completion stream with post-call guardrails is held back until it ended, as LiteLLM holds it: the
    /// guardrails read the whole answer, then the client gets the stream as it came, the masked answer replayed as
    /// a stream, or the refusal as an error event. nil when the stream is not held.
    func holdForGuardrails(_ relay: inout StreamRelay, request: GatewayRequest, deployment: ModelDeployment)
        -> HeldVerdict?
    {
        guard let guardrails, request.call.operation != .responses,
            request.guardrails.contains(where: { $0.runs(in: .postCall) })
        else { return nil }
        let verdict = HeldVerdict()
        let selected = request.guardrails
        let wantsUsage = request.clientWantsUsage
        // The masked answer is replayed as chat chunks: only a chat stream with no conversion can take it.
        let replayable =
            request.call.operation == .chatCompletions
            && TextCompletion.Conversion(request.call.operation, on: deployment) == .none
        let postCall = selected.first { $0.runs(in: .postCall) }
        relay.hold = { summary in
            if summary.clientGone { return nil }
            // What was held was never checked: an upstream that broke off sends its error, not the partial answer.
            if let reason = summary.upstreamError {
                return Self.errorEvents(OpenAIError(status: 500, message: reason, type: "api_connection_error"))
            }
            var answer = summary.response ?? ResponseShaper.shape(summary.assembled, deployment: deployment)
            if let usage = summary.usage { answer["usage"] = usage }
            // Guardrails read an answer's text: one with tool calls, several choices or more than the assembled
            // bound cannot be read whole, so it is refused rather than sent unread.
            guard summary.isWhole else {
                let refusal = GuardrailRefusal.unreadable(postCall)
                verdict.state.withLockedValue { $0 = ([], refusal, nil) }
                return Self.errorEvents(refusal.error)
            }
            let pass = await guardrails.checkAnswer(&answer, selected)
            let masked = pass.records.contains { !$0.maskedEntities.isEmpty }
            var refusal = pass.refusal
            if refusal == nil, masked, !replayable {
                refusal = GuardrailRefusal.unreadable(postCall)
            }
            verdict.state.withLockedValue { $0 = (pass.records, refusal, masked ? answer : nil) }
            if let refusal { return Self.errorEvents(refusal.error) }
            return masked ? CachedStream.events(answer, clientWantsUsage: wantsUsage) : nil
        }
        return verdict
    }

    /// A stream's end in error: the error as an event, then `[DONE]`.
    static func errorEvents(_ error: OpenAIError) -> ByteBuffer {
        var events = SSEWriter.encode(json: error.json)
        events.writeImmutableBuffer(SSEWriter.done)
        return events
    }
}
