import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Testing

@testable import Proxy

/// Upstream TLS: certificates are verified unless `ssl_verify: false` says otherwise, on both upstream clients (the
/// pinned one for plain calls, AsyncHTTPClient for streams). The server below presents a self-signed certificate,
/// made for this test only, so verification must refuse it.
@Suite struct UpstreamTLSTests {
    static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBmzCCAUGgAwIBAgIUcRQzMNwJeBpebTpZhNv7EASMy4gwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNzA5MjIzN1oYDzIxMjYxMTAz
        MDkyMjM3WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAAQDV5AtqWkyVAQJNcTl5RAatU46c+S41HTl7QgpKrPHM0PVN1gfKVgE
        SCtJ1fvTEXrwmiM1Xr8AH9PJsg1nfCp/o28wbTAdBgNVHQ4EFgQUDTMuH6tSVu9I
        bUoy/9+M3nB4VggwHwYDVR0jBBgwFoAUDTMuH6tSVu9IbUoy/9+M3nB4VggwDwYD
        VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
        zj0EAwIDSAAwRQIgK8GTrDJtfUiMcNV8FF2xk0yBw23ThgL125nKdPQ2ALECIQCy
        GRxFcT6r5TOx84NFtNLbF5W1P6G3RCrAhmrRstCTaw==
        -----END CERTIFICATE-----
        """
    static let privateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgp2F4b+WowmQ4wzsI
        ua7onFMO++pYeKJWcOfyUx6yIcOhRANCAAQDV5AtqWkyVAQJNcTl5RAatU46c+S4
        1HTl7QgpKrPHM0PVN1gfKVgESCtJ1fvTEXrwmiM1Xr8AH9PJsg1nfCp/
        -----END PRIVATE KEY-----
        """

    /// Answers every request with `200 {}` over TLS.
    final class Answer: ChannelInboundHandler, Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .end = unwrapInboundIn(data) else { return }
            var head = HTTPResponseHead(version: .http1_1, status: .ok)
            head.headers.add(name: "content-length", value: "2")
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "{}")))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }

    static func withTLSServer(_ body: (Int) async throws -> Void) async throws {
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMBytes(Array(certificate.utf8)).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(privateKey.utf8), format: .pem))
        )
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Answer())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        do {
            try await body(channel.localAddress!.port!)
        } catch {
            try? await channel.close().get()
            throw error
        }
        try await channel.close().get()
    }

    @Test func pinnedClientVerifiesCertificatesUnlessTurnedOff() async throws {
        try await Self.withTLSServer { port in
            let url = "https://127.0.0.1:\(port)/openai/deployments/x/chat/completions"
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let verifying = PinnedHTTPClient(verifyCertificates: true)
            await #expect(throws: (any Error).self) {
                try await verifying.post(
                    url: url,
                    headers: [],
                    body: ByteBuffer(string: "{}"),
                    on: loop,
                    deadline: .now() + .seconds(5),
                    maximumBodySize: 1 << 10
                ).get()
            }
            let trusting = PinnedHTTPClient(verifyCertificates: false)
            let response = try await trusting.post(
                url: url,
                headers: [],
                body: ByteBuffer(string: "{}"),
                on: loop,
                deadline: .now() + .seconds(5),
                maximumBodySize: 1 << 10
            ).get()
            #expect(response.status == .ok)
            await verifying.closeIdleConnections()
            await trusting.closeIdleConnections()
        }
    }

    @Test func streamingClientVerifiesCertificatesUnlessTurnedOff() async throws {
        try await Self.withTLSServer { port in
            var request = HTTPClientRequest(url: "https://127.0.0.1:\(port)/openai/deployments/x/chat/completions")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: "{}"))
            for verify in [true, false] {
                var configuration = UpstreamClient.Configuration()
                configuration.verifyCertificates = verify
                let client = UpstreamClient(configuration: configuration)
                do {
                    let response = try await client.http.execute(request, timeout: .seconds(5))
                    #expect(
                        !verify && response.status == .ok,
                        "a self-signed certificate was accepted with verification on"
                    )
                } catch {
                    #expect(verify, "verification off, yet the request failed: \(error)")
                }
                try await client.http.shutdown()
            }
        }
    }
}
