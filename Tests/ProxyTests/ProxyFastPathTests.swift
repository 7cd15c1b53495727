import Foundation
import Proxy
import TestSupport
import Testing

/// The data plane in the channel pipeline (ProxyFastPath) and the connection rules around it: pipelining across the
/// fast path and Hummingbird, CONNECT, the keep-alive timeout, oversize bodies with `Connection: close`.
@Suite struct ProxyFastPathTests {
    @Test func routesAreMatchedWithoutTheRouter() {
        #expect(ProxyRoute(path: "/chat/completions") == ProxyRoute(path: "/v1/chat/completions"))
        #expect(ProxyRoute(path: "/v1/embeddings")?.operation == .embeddings)
        #expect(ProxyRoute(path: "/completions?x=1")?.operation == .completions)
        let azure = ProxyRoute(path: "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21")
        #expect(azure?.operation == .chatCompletions && azure?.pathModel == "gpt-4o")
        // Left to the HTTP router: other paths, percent-encoding, trailing slashes, an empty deployment name.
        for path in [
            "/models", "/v1/models", "/chat/completions/", "/v2/chat/completions",
            "/openai/deployments/a%20b/embeddings",
            "/openai/deployments//chat/completions", "/openai/deployments/x/images", "/v1/v1/chat/completions", "",
        ] {
            #expect(ProxyRoute(path: Substring(path)) == nil, "\(path)")
        }
    }

    static func post(_ body: String, path: String = "/chat/completions", extra: String = "") -> String {
        "POST \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestConfigs.masterKey)\r\n"
            + "Content-Type: application/json\r\n\(extra)Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    static let seed = #"{"model":"o4-mini","messages":[{"role":"user","content":"what llm are you"}]}"#

    @Test func pipelinedRequestsAreAnsweredInOrderAcrossBothPaths() async throws {
        try await withProxy { proxy in
            let port = Int(proxy.base.split(separator: ":").last!)!
            let connection = try await RawConnection.connect(port: port)
            let liveliness = "GET /health/liveliness HTTP/1.1\r\nHost: x\r\n\r\n"
            let unknown = ProxyFastPathTests.post(#"{"model":"nope","messages":[]}"#)
            try await connection.send(
                ProxyFastPathTests.post(ProxyFastPathTests.seed) + liveliness + unknown + liveliness
                    + ProxyFastPathTests.post(ProxyFastPathTests.seed)
            )
            let (text, _) = try await connection.wait(upTo: .seconds(10)) { text, _ in
                text.components(separatedBy: "HTTP/1.1 ").count == 6
            }
            let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
            #expect(statuses == ["200", "200", "400", "200", "200"])
            let order = [
                "chatcmpl-CHr8WRLSX5TzWqrnIJvdp8iJquX3B", "I'm alive!", "Invalid model name", "I'm alive!",
                "chatcmpl-CHr8WRLSX5TzWqrnIJvdp8iJquX3B",
            ]
            var rest = Substring(text)
            for marker in order {
                let found = rest.range(of: marker)
                #expect(found != nil, "\(marker) missing or out of order")
                if let found { rest = rest[found.upperBound...] }
            }
            await connection.close()
        }
    }

    @Test func connectGetsAnOpenAIErrorBody() async throws {
        try await withProxy { proxy in
            let port = Int(proxy.base.split(separator: ":").last!)!
            let connection = try await RawConnection.connect(port: port)
            try await connection.send("CONNECT 169.254.169.254:80 HTTP/1.1\r\nHost: 169.254.169.254:80\r\n\r\n")
            let (text, closed) = try await connection.wait(upTo: .seconds(5)) { $1 }
            #expect(text.hasPrefix("HTTP/1.1 404"))
            #expect(
                text.contains(
                    #"{"error":{"message":"Route not found: CONNECT 169.254.169.254:80","type":"not_found_error""#
                )
            )
            #expect(closed)
        }
    }

    @Test func idleAndHalfSentConnectionsAreClosedAfterTheKeepAliveTimeout() async throws {
        try await withProxy(keepAliveTimeout: .milliseconds(600)) { proxy in
            let port = Int(proxy.base.split(separator: ":").last!)!
            let idle = try await RawConnection.connect(port: port)
            try await idle.send(ProxyFastPathTests.post(ProxyFastPathTests.seed))
            let answered = try await idle.wait(upTo: .seconds(5)) { text, _ in text.contains("chatcmpl-") }
            #expect(answered.text.hasPrefix("HTTP/1.1 200") && !answered.closed)
            let half = try await RawConnection.connect(port: port)
            try await half.send("POST /chat/completions HTTP/1.1\r\nHost: x\r\n")
            for connection in [idle, half] {
                let (_, closed) = try await connection.wait(upTo: .seconds(5)) { $1 }
                #expect(closed, "the server keeps a connection open past its keep-alive timeout")
            }
        }
    }

    @Test func aSlowUpstreamIsNotCutByTheKeepAliveTimeout() async throws {
        let config: @Sendable (String) -> String = { mockBase in
            """
            model_list:
              - model_name: slow
                litellm_params: {model: azure/gpt-4o, api_base: "\(mockBase)", api_version: "2024-10-21", \
            api_key: k, timeout: 1.2}
            router_settings: {num_retries: 0}
            general_settings: {master_key: \(TestConfigs.masterKey)}
            """
        }
        try await withProxy(config: config, keepAliveTimeout: .milliseconds(300)) { proxy in
            let port = Int(proxy.base.split(separator: ":").last!)!
            let connection = try await RawConnection.connect(port: port)
            // MockAzure hangs; the proxy answers 408 after the deployment's 1.2 s timeout: four keep-alive timeouts
            // while the request is in flight.
            let body = ##"{"model":"slow","messages":[{"role":"user","content":"#mock-fault: hang"}]}"##
            try await connection.send(ProxyFastPathTests.post(body))
            let (text, _) = try await connection.wait(upTo: .seconds(10)) { text, closed in
                closed || text.contains("}}")
            }
            #expect(text.hasPrefix("HTTP/1.1 408"), "\(text.prefix(200))")
        }
    }

    @Test func oversizeBodyWithConnectionCloseGetsIts413() async throws {
        try await withProxy { proxy in
            let port = Int(proxy.base.split(separator: ":").last!)!
            let connection = try await RawConnection.connect(port: port)
            let size = 40 << 20
            try await connection.send(
                "POST /chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(TestConfigs.masterKey)\r\n"
                    + "Connection: close\r\nContent-Length: \(size)\r\n\r\n"
            )
            // The whole body is sent before anything is read, as most SDKs do.
            let chunk = String(repeating: "o", count: 1 << 20)
            for _ in 0 ..< 40 { try await connection.send(chunk) }
            let (text, _) = try await connection.wait(upTo: .seconds(10)) { text, closed in
                closed || text.contains("}}")
            }
            #expect(text.hasPrefix("HTTP/1.1 413"), "\(text.prefix(200))")
            #expect(text.contains("Request size is too large"))
        }
    }
}
