import Foundation

/// Where the proxy's spans go: `callbacks: ["otel"]` with LiteLLM's OTEL_* variables, or `["langfuse_otel"]` with
/// Langfuse's keys. Read once at start-up (ConfigReader+tracing); nil when no OpenTelemetry callback is configured.
public struct TracingSettings: Sendable {
    /// The full OTLP/HTTP traces URL (LiteLLM's normalisation: `/v1/traces` appended unless the URL already names it).
    public var endpoint: String
    /// OTLP/HTTP's two encodings (`http/protobuf`, LiteLLM's `otlp_http`; or `http/json`).
    public var json = false
    /// Sent with every export (`OTEL_EXPORTER_OTLP_HEADERS`: an `Authorization` for a hosted collector). Secrets:
    /// never logged.
    public var headers: [(String, String)] = []
    /// `OTEL_SERVICE_NAME` (LiteLLM's default `litellm`) and `OTEL_ENVIRONMENT_NAME` (`deployment.environment`).
    public var serviceName = "litellm"
    public var environmentName = "production"
    /// Prompt and answer text on spans: only when `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` asks for it on
    /// spans and `turn_off_message_logging` is not set (LiteLLM captures by default; this proxy does not).
    public var captureMessageContent = false
    /// The batch processor's queue: spans past it are dropped (and counted), never waited for.
    public var maxQueueSize = 8192
    /// Spans per export (about 0.5 KB each). swift-otel exports one batch a tick (a second, or the queue full): with
    /// the specification's 512 and 2,048, a core's 2,000 traced requests a second dropped half their spans.
    public var exportBatchSize = 2048
    /// The longest an export may take before it is abandoned.
    public var exportTimeout: Duration = .seconds(10)
    /// The other OTEL_* variables (OTEL_BSP_*, OTEL_TRACES_SAMPLER, OTEL_EXPORTER_OTLP_CERTIFICATE…), for swift-otel.
    public var passedEnvironment: [String: String] = [:]

    public init(endpoint: String) {
        self.endpoint = endpoint
    }

    /// The endpoint as logs may show it: no user information, no query.
    public var redactedEndpoint: String {
        guard var parts = URLComponents(string: endpoint) else { return "(an OTLP endpoint)" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        return parts.string ?? "(an OTLP endpoint)"
    }

    /// LiteLLM's `_normalize_otel_endpoint`: the traces path appended unless the URL names a signal path already.
    public static func tracesURL(_ endpoint: String) -> String {
        var url = endpoint
        while url.hasSuffix("/") { url.removeLast() }
        if url.hasSuffix("/v1/traces") || url.contains("/v2/trace/otlp") { return url }
        for other in ["/v1/logs", "/v1/metrics"] where url.hasSuffix(other) {
            return String(url.dropLast(other.count)) + "/v1/traces"
        }
        if url.hasSuffix("/v1") { return url + "/traces" }
        return url + "/v1/traces"
    }
}

extension TracingSettings {
    /// The standard OTEL_* variables this proxy reads itself (LiteLLM's spellings and meanings); every other OTEL_*
    /// variable (the batch processor's OTEL_BSP_*, the sampler, certificates, timeouts) goes to swift-otel as is.
    static let interpreted: Set<String> = [
        "OTEL_EXPORTER", "OTEL_ENDPOINT", "OTEL_HEADERS", "OTEL_SERVICE_NAME",
        "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
    ]

    /// `k=v,k2=v2` (OTEL_EXPORTER_OTLP_HEADERS): each entry split at its first `=`, values percent-decoded as the
    /// OpenTelemetry specification has them.
    static func headerList(_ text: String) -> [(String, String)] {
        text.split(separator: ",").compactMap { entry in
            guard let equals = entry.firstIndex(of: "=") else { return nil }
            let name = entry[..<equals].trimmingCharacters(in: .whitespaces)
            let raw = entry[entry.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { return nil }
            return (name, raw.removingPercentEncoding ?? raw)
        }
    }
}
