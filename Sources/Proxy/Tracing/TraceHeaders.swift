import Tracing

/// W3C trace context in the proxy's header lists (names in lower case, as ProxyCall keeps them).
struct TraceHeaderExtractor: Extractor {
    func extract(key: String, from carrier: [(String, String)]) -> String? {
        let name = key.lowercased()
        return carrier.first { $0.0 == name }?.1
    }
}

/// Adds `traceparent` (and `tracestate`) to an upstream call's headers, replacing any the client sent.
struct TraceHeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [(String, String)]) {
        let name = key.lowercased()
        carrier.removeAll { $0.0.lowercased() == name }
        carrier.append((name, value))
    }
}
