import Conformance
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOHTTP1
import Proxy
import ServiceLifecycle

/// A proxy's HTTP surface in memory: the router the application serves, driven by HummingbirdTesting's `.router`
/// mode (no port, no connection), with the background services running and the database prepared. For management
/// routes, the UI's data and refusals; anything that needs an upstream takes `withProxy` or `withStubUpstream`.
public struct ProxyRouterClient: Sendable {
    let client: any TestClientProtocol
    public let gateway: Gateway
    public let server: ProxyServer
    public var masterKey: String { TestConfigs.masterKey }
    public var auth: [(String, String)] { [("authorization", "Bearer \(TestConfigs.masterKey)")] }

    public func request(
        _ method: HTTPRequest.Method,
        _ path: String,
        headers: [(String, String)] = [],
        body: String? = nil
    ) async throws -> TestResponse {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        let response = try await client.execute(
            uri: path,
            method: method,
            headers: fields,
            body: body.map { ByteBuffer(string: $0) }
        )
        var observed = HTTPHeaders()
        for field in response.headers { observed.add(name: field.name.canonicalName, value: field.value) }
        return TestResponse(
            status: Int(response.status.code),
            headers: observed,
            body: Array(response.body.readableBytesView)
        )
    }
}

extension ProxyRouterClient {
    /// A POST with a key (the master key by default).
    public func post(_ path: String, _ body: String, key: String? = nil) async throws -> TestResponse {
        try await request(.post, path, headers: [("authorization", "Bearer \(key ?? masterKey)")], body: body)
    }

    /// A GET with a key (the master key by default).
    public func get(_ path: String, key: String? = nil) async throws -> TestResponse {
        try await request(.get, path, headers: [("authorization", "Bearer \(key ?? masterKey)")])
    }
}

/// Runs `body` against the proxy's router in memory; `config` is the config.yaml text (the standard test config,
/// its upstreams unreachable, by default).
public func withProxyRouter<T: Sendable>(
    config: String = TestConfigs.standard(mockBase: "http://127.0.0.1:1"),
    environment: [String: String] = [:],
    _ body: @escaping @Sendable (ProxyRouterClient) async throws -> T
) async throws -> T {
    let parsed = try ConfigLoader.parse(config, file: "test-config.yaml", environment: environment)
    var logger = Logger(label: "proxy")
    logger.logLevel = .warning
    let parts = try ProxyApplication.build(
        config: parsed,
        runtime: ProxyRuntime(host: "127.0.0.1", port: 0),
        logger: logger,
        environment: environment
    )
    return try await withServiceGroup(parts.background) {
        try await parts.gateway.spend?.writer.database.prepare()
        return try await Application(router: parts.server.buildRouter()).test(.router) { client in
            try await body(ProxyRouterClient(client: client, gateway: parts.gateway, server: parts.server))
        }
    }
}
