import Hummingbird
import Logging

/// A hand-written upstream for the shapes MockAzure will not produce (a redirect, a stream that stalls after its
/// first frame): `routes` adds handlers to a router served on a free loopback port for the length of `body`.
public func withStubUpstream<T: Sendable>(
    _ routes: (Router<BasicRequestContext>) -> Void,
    _ body: (String) async throws -> T
) async throws -> T {
    let router = Router()
    routes(router)
    var logger = Logger(label: "stub-upstream")
    logger.logLevel = .warning
    return try await withRunningApplication({ onRunning in
        Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }) { port in
        try await body("http://127.0.0.1:\(port)")
    }
}
