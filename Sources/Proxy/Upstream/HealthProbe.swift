import Logging
import Wire

/// `/health`'s probes: a one-token request to each deployment, at most 30 s each, all at once.
public struct HealthProbe: Sendable {
    let transport: UpstreamTransport
    let builder: UpstreamRequestBuilder
    let identity: EntraTokenProvider?
    let logger: Logger

    public init(
        transport: UpstreamTransport,
        builder: UpstreamRequestBuilder,
        identity: EntraTokenProvider? = nil,
        logger: Logger
    ) {
        self.transport = transport
        self.builder = builder
        self.identity = identity
        self.logger = logger
    }

    /// Each deployment's failure (nil: it answered 200), in the order given.
    public func probe(_ deployments: [ModelDeployment]) async -> [String?] {
        let results = await withTaskGroup(of: (Int, String?).self) { group in
            for (index, deployment) in deployments.enumerated() {
                group.addTask { (index, await self.probe(deployment)) }
            }
            var results: [(Int, String?)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }
        }
        return results.map(\.1)
    }

    /// nil when the deployment answered 200 to a one-token request; else why not.
    func probe(_ deployment: ModelDeployment) async -> String? {
        let kind = deployment.modelInfo["mode"]?.stringValue
        let operation: ProxyOperation =
            kind == "embedding" ? .embeddings : kind == "completion" ? .completions : .chatCompletions
        let body: JSONObject
        switch operation {
        case .embeddings: body = ["input": "ping"]
        case .completions: body = ["prompt": "ping", "max_tokens": 1]
        default: body = ["messages": [["role": "user", "content": "ping"]], "max_tokens": 1]
        }
        do {
            var token: String?
            if let credential = deployment.entra, let identity {
                do throws(EntraTokenError) {
                    token = try await identity.token(credential)
                } catch {
                    return error.proxyError(deployment: deployment).error.message
                }
            }
            let upstream = try builder.build(deployment, operation: operation, body: body, token: token)
            let response = try await transport.send(
                upstream,
                stream: false,
                on: nil,
                timeout: min(deployment.timeout ?? 30, 30),
                deployment: deployment,
                logger: logger
            )
            return response.status == .ok ? nil : "upstream answered \(response.status.code)"
        } catch {
            return error.error.message
        }
    }
}
