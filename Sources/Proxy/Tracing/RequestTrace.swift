import Tracing

/// One proxied request's spans: the server span (LiteLLM's "Received Proxy Server Request", continuing the client's
/// `traceparent`), and its children — authentication, routing, each upstream attempt, the stream relay, the spend
/// write. Created only when tracing is on; the request path holds an optional and pays nothing otherwise.
public final class RequestTrace: Sendable {
    let tracer: any Tracer
    let root: any Span
    /// Prompt and answer text on the spans (off unless the configuration asks).
    let captureContent: Bool

    init(tracer: any Tracer, route: String, method: String, headers: [(String, String)], captureContent: Bool) {
        self.tracer = tracer
        self.captureContent = captureContent
        var context = ServiceContext.topLevel
        tracer.extract(headers, into: &context, using: TraceHeaderExtractor())
        root = tracer.startSpan("Received Proxy Server Request", context: context, ofKind: .server)
        root.add([
            "http.request.method": .string(method), "http.route": .string(route), "url.path": .string(route),
        ])
    }

    /// A child of `parent` (the server span when nil).
    func start(_ name: String, under parent: (any Span)? = nil, kind: SpanKind = .internal) -> any Span {
        tracer.startSpan(name, context: (parent ?? root).context, ofKind: kind)
    }

    /// `work` inside a child span that ends when it returns (or throws, recording the error).
    func span<T>(_ name: String, _ work: () async throws(ProxyError) -> T) async throws(ProxyError) -> T {
        let span = start(name)
        do {
            let value = try await work()
            span.end()
            return value
        } catch {
            span.failed(error)
            span.end()
            throw error
        }
    }

    /// `span`'s W3C context in `headers` (an upstream call's, so Azure's side of the trace joins this one), in place
    /// of any `traceparent` they had.
    func propagate(_ span: any Span, into headers: inout [(String, String)]) {
        tracer.inject(span.context, into: &headers, using: TraceHeaderInjector())
    }

    /// The request is answered (a stream: its last byte written).
    func finish(status: Int) {
        root.add(["http.response.status_code": .int64(Int64(status))])
        if status >= 500 { root.setStatus(SpanStatus(code: .error)) }
        root.end()
    }

    /// A request's facts on the attempt's span and on the server span (where LiteLLM puts them), built once.
    func record(_ facts: RequestFacts, cost: Double?, on attempt: (any Span)?) {
        guard root.isRecording else { return }
        let attributes = SpanAttributes(facts, cost: cost, content: captureContent)
        attempt?.add(attributes)
        root.add(attributes)
    }
}
