import Foundation
import Wire

extension ConfigReader {
    /// `litellm_settings.callbacks` (and `success_callback` / `failure_callback`): `prometheus` serves /metrics,
    /// `otel` and `langfuse_otel` export spans (the first of them only, as LiteLLM keeps the first OpenTelemetry
    /// logger); every other name is a "not supported" finding (a start-up warning; `--strict` refuses it).
    mutating func tracing(_ litellm: JSONObject) throws(ConfigError) -> TracingSettings? {
        var chosen: (name: String, settings: TracingSettings)?
        // A name in two lists (success_callback and failure_callback, as LiteLLM configs often have it) is one
        // callback, reported once.
        var seen: Set<String> = []
        for key in ["callbacks", "success_callback", "failure_callback"] {
            let names: [String?]
            switch litellm[key] {
            case nil, .null?: continue
            case .string(let name)?: names = [name]
            case .array(let items)?: names = items.map(\.stringValue)
            case let other?: throw fail("litellm_settings.\(key)", "expected a list of names, found \(other.kindName)")
            }
            for (index, name) in names.enumerated() {
                guard let name, seen.insert(name).inserted else { continue }
                let path = "litellm_settings.\(key)[\(index)]"
                switch name {
                case "prometheus":
                    continue
                case "otel", "langfuse_otel":
                    if let chosen {
                        skip(path, "a second OpenTelemetry callback: only the first (\(chosen.name)) exports")
                        continue
                    }
                    chosen = (name == "otel" ? otel(path) : langfuse(path)).map { (name, $0) }
                case "datadog", "datadog_llm_observability":
                    skip(path, "no Datadog intake: point the otel callback at a Datadog Agent's OTLP/HTTP port")
                case "langfuse":
                    skip(path, "no Langfuse SDK logger: use langfuse_otel (Langfuse's OTLP endpoint)")
                default:
                    skip(path, "no '\(name.prefix(40))' logger: prometheus, otel and langfuse_otel are served")
                }
            }
        }
        guard var settings = chosen?.settings else { return nil }
        let turnedOff = try bool(litellm["turn_off_message_logging"], "litellm_settings.turn_off_message_logging")
        let capture = environment["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"]?.lowercased()
        settings.captureMessageContent = turnedOff != true && (capture == "span_only" || capture == "span_and_event")
        settings.passedEnvironment = environment.filter {
            $0.key.hasPrefix("OTEL_") && !TracingSettings.interpreted.contains($0.key)
        }
        return settings
    }

    /// LiteLLM's OpenTelemetryConfig.from_env: the exporter from OTEL_EXPORTER_OTLP_PROTOCOL or OTEL_EXPORTER
    /// (console unless an endpoint is set), the endpoint from OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_ENDPOINT, headers
    /// from OTEL_EXPORTER_OTLP_HEADERS or OTEL_HEADERS. Only OTLP over HTTP is built in.
    mutating func otel(_ path: String) -> TracingSettings? {
        let environment = environment
        let variable = { (names: [String]) -> String? in
            names.lazy.compactMap { environment[$0].flatMap { $0.isEmpty ? nil : $0 } }.first
        }
        let tracesEndpoint = variable(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"])
        let endpoint = tracesEndpoint ?? variable(["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_ENDPOINT"])
        var exporter =
            variable(["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER"])?
            .lowercased() ?? "console"
        if endpoint != nil, exporter == "console" { exporter = "otlp_http" }
        switch exporter {
        case "otlp_http", "http/protobuf", "http/json":
            guard let endpoint else {
                skip(path, "OTEL_EXPORTER is \(exporter) but no OTEL_EXPORTER_OTLP_ENDPOINT is set: no spans sent")
                return nil
            }
            var settings = TracingSettings(endpoint: tracesEndpoint ?? TracingSettings.tracesURL(endpoint))
            settings.json = exporter == "http/json"
            let headers = variable(["OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_HEADERS"])
            settings.headers = headers.map(TracingSettings.headerList) ?? []
            settings.serviceName = variable(["OTEL_SERVICE_NAME"]) ?? settings.serviceName
            settings.environmentName = variable(["OTEL_ENVIRONMENT_NAME"]) ?? settings.environmentName
            return settings
        case "otlp_grpc", "grpc":
            skip(path, "OTLP over gRPC is not built in: set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (port 4318)")
        default:
            skip(path, "no \(exporter.prefix(20)) span exporter: set OTEL_EXPORTER_OTLP_ENDPOINT (OTLP/HTTP)")
        }
        return nil
    }

    /// LiteLLM's langfuse_otel: OTLP/HTTP to `{LANGFUSE_OTEL_HOST or LANGFUSE_HOST}/api/public/otel` with Basic
    /// authentication from the project's key pair; without the pair, the plain otel variables.
    mutating func langfuse(_ path: String) -> TracingSettings? {
        guard let publicKey = nonEmpty(environment["LANGFUSE_PUBLIC_KEY"]),
            let secretKey = nonEmpty(environment["LANGFUSE_SECRET_KEY"])
        else { return otel(path) }
        var host =
            nonEmpty(environment["LANGFUSE_OTEL_HOST"]) ?? nonEmpty(environment["LANGFUSE_HOST"])
            ?? "https://us.cloud.langfuse.com"
        if !host.hasPrefix("http://") && !host.hasPrefix("https://") { host = "https://" + host }
        while host.hasSuffix("/") { host.removeLast() }
        var settings = TracingSettings(endpoint: TracingSettings.tracesURL(host + "/api/public/otel"))
        let pair = Data("\(publicKey):\(secretKey)".utf8).base64EncodedString()
        settings.headers = [("Authorization", "Basic \(pair)"), ("x-langfuse-ingestion-version", "4")]
        settings.serviceName = nonEmpty(environment["OTEL_SERVICE_NAME"]) ?? settings.serviceName
        return settings
    }
}
