import Foundation

/// The headers Azure puts on every response, plus the rate-limit and stream headers where they apply.
enum AzureHeaders {
    static func make(
        region: String,
        deployment: Deployment?,
        clientRequestID: String?,
        remaining: (requests: Int?, tokens: Int?)?,
        stream: Bool
    ) -> [(String, String)] {
        let requestID = UUID().uuidString.lowercased()
        var fields: [(String, String)] = [
            ("content-type", stream ? "text/event-stream; charset=utf-8" : "application/json"),
            ("apim-request-id", requestID),
            ("x-request-id", UUID().uuidString.lowercased()),
            ("x-ms-client-request-id", clientRequestID ?? requestID),
            ("x-ms-region", region),
            ("x-content-type-options", "nosniff"),
            ("strict-transport-security", "max-age=31536000; includeSubDomains; preload"),
        ]
        if let deployment {
            fields.append(("x-ms-deployment-name", deployment.name))
            fields.append(("azureml-model-session", "d" + String(SplitMix64.fingerprint(deployment.name.utf8) % 1000)))
            if let rpm = deployment.rpm { fields.append(("x-ratelimit-limit-requests", String(rpm))) }
            if let tpm = deployment.tpm { fields.append(("x-ratelimit-limit-tokens", String(tpm))) }
        }
        if let remaining {
            if let requests = remaining.requests { fields.append(("x-ratelimit-remaining-requests", String(requests))) }
            if let tokens = remaining.tokens { fields.append(("x-ratelimit-remaining-tokens", String(tokens))) }
        }
        if stream {
            fields.append(("x-accel-buffering", "no"))
            fields.append(("cache-control", "no-cache"))
        }
        return fields
    }

    /// Scenario headers replace standard ones of the same name (case-insensitive) and add the rest.
    static func merge(_ base: [(String, String)], _ overrides: [(String, String)]) -> [(String, String)] {
        let names = Set(overrides.map { $0.0.lowercased() })
        return base.filter { !names.contains($0.0.lowercased()) } + overrides
    }
}
