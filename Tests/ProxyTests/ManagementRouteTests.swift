import Foundation
import TestSupport
import Testing
import Wire

@testable import Proxy

/// The management routes through the proxy's router in memory (no port, no upstream): who may call what, LiteLLM's
/// shapes, and the limits on what a caller may send.
@Suite struct ManagementRouteTests {
    static func post(_ proxy: ProxyRouterClient, _ path: String, _ body: String, key: String? = nil) async throws
        -> TestResponse
    {
        try await proxy.post(path, body, key: key)
    }

    /// No key: 401 everywhere but the probes; a virtual key reads the model listings, `/health` and its own key
    /// (LiteLLM's info routes), and gets LiteLLM's 401 on the admin routes; the master key reads everything.
    @Test func everyRouteChecksItsKeyFirst() async throws {
        try await withProxyRouter { proxy in
            let generated = try await Self.post(proxy, "/key/generate", #"{"key_alias": "reader"}"#)
            let virtual = try #require(generated.json?["key"]?.stringValue, "\(generated.text)")
            let masterOnly = ["/spend/logs", "/spend/logs/ui", "/user/list", "/customer/list", "/budget/list"]
            let anyKey = [
                "/models", "/v1/models", "/model/info", "/v1/model/info", "/models/gpt-4o", "/key/list",
                "/key/info?key=\(virtual)", "/team/list",
            ]
            for path in masterOnly + anyKey {
                let none = try await proxy.request(.get, path)
                #expect(none.status == 401 && none.json?.value(at: "error.type") != nil, "\(path): \(none.text)")
                let master = try await proxy.request(.get, path, headers: proxy.auth)
                #expect(master.status == 200, "\(path): \(master.text)")
                let asVirtual = try await proxy.request(.get, path, headers: [("authorization", "Bearer \(virtual)")])
                #expect(asVirtual.status == (masterOnly.contains(path) ? 401 : 200), "\(path): \(asVirtual.text)")
            }
            let refused = try await Self.post(proxy, "/key/generate", "{}", key: virtual)
            #expect(
                refused.status == 401
                    && refused.json?.value(at: "error.message")?.stringValue?.contains("Route=/key/generate") == true
            )
            for path in ["/health/liveliness", "/health/liveness", "/health/readiness"] {
                #expect(try await proxy.request(.get, path).status == 200, "\(path)")
            }
        }
    }

    /// `GET /routes` is public, as LiteLLM's, and lists what the router serves in LiteLLM's shape.
    @Test func routeListIsPublicAndComplete() async throws {
        try await withProxyRouter { proxy in
            let listed = try await proxy.request(.get, "/routes")
            #expect(listed.status == 200)
            let routes = listed.json?["routes"]?.arrayValue ?? []
            let byPath = Dictionary(
                routes.compactMap { route in route["path"]?.stringValue.map { ($0, route["methods"]) } },
                uniquingKeysWith: { first, _ in first }
            )
            #expect(byPath["/chat/completions"] == ["POST"])
            #expect(byPath["/openai/deployments/{model}/chat/completions"] == ["POST"])
            #expect(byPath["/key/generate"] == ["POST"])
            #expect(byPath["/routes"] == ["GET"])
            #expect(routes.allSatisfy { $0["name"]?.stringValue?.isEmpty == false && $0["endpoint"] != nil })
        }
    }

    @Test func modelListingsWithoutSecrets() async throws {
        try await withProxyRouter { proxy in
            for path in ["/models", "/v1/models"] {
                let models = try await proxy.request(.get, path, headers: proxy.auth)
                #expect(models.json?["object"] == "list")
                #expect(
                    models.json?.value(at: "data.0") == [
                        "id": "o4-mini", "object": "model", "created": 1_677_610_602, "owned_by": "openai",
                    ]
                )
            }
            let one = try await proxy.request(.get, "/v1/models/gpt-4o", headers: proxy.auth)
            #expect(one.json?["id"] == "gpt-4o")
            let missing = try await proxy.request(.get, "/v1/models/nope", headers: proxy.auth)
            #expect(missing.status == 404 && missing.json?.value(at: "error.param") == "model")
            let info = try await proxy.request(.get, "/model/info", headers: proxy.auth)
            #expect(info.json?.value(at: "data.0.model_name") == "o4-mini")
            #expect(info.json?.value(at: "data.0.model_info.id")?.stringValue == proxy.gateway.config.deployments[0].id)
            #expect(!info.text.contains(TestConfigs.azureKey) && !info.text.contains("api_key"))
        }
    }

    /// A management body over the limit is refused whole: never a key made from none of its fields.
    @Test func oversizeManagementBodyIs413AndCreatesNothing() async throws {
        try await withProxyRouter { proxy in
            let huge = String(repeating: "x", count: 1_100_000)
            let body = #"{"models":["gpt-4o"],"max_budget":1,"metadata":{"pad":"\#(huge)"}}"#
            let answer = try await Self.post(proxy, "/key/generate", body)
            #expect(
                answer.status == 413 && answer.json?.value(at: "error.type") == "invalid_request_error",
                "\(answer.text.prefix(300))"
            )
            let list = try await proxy.request(.get, "/key/list", headers: proxy.auth)
            #expect(list.json?["total_count"]?.intValue == 0, "\(list.text)")
        }
    }

    /// Limits beyond what an Int holds (or not whole) are a 400, not a trap.
    @Test func keyLimitsOutOfRangeAre400() async throws {
        try await withProxyRouter { proxy in
            for field in ["tpm_limit", "rpm_limit", "max_parallel_requests", "max_budget"] {
                for value in ["1e300", "-1", "9223372036854775808"] {
                    let answer = try await Self.post(proxy, "/key/generate", #"{"\#(field)":\#(value)}"#)
                    #expect(
                        answer.status == 400 && answer.json?.value(at: "error.param") == .string(field),
                        "\(field)=\(value): \(answer.text)"
                    )
                }
            }
            let fractional = try await Self.post(proxy, "/key/generate", #"{"rpm_limit":1.5}"#)
            #expect(fractional.status == 400)
            let fine = try await Self.post(proxy, "/key/generate", #"{"rpm_limit":1e6,"max_budget":12.5}"#)
            #expect(fine.status == 200 && fine.json?["rpm_limit"]?.intValue == 1_000_000, "\(fine.text)")
            let key = try #require(fine.json?["key"]?.stringValue)
            let update = try await Self.post(proxy, "/key/update", #"{"key":"\#(key)","tpm_limit":1e300}"#)
            #expect(update.status == 400)
            #expect(Paging.page("9223372036854775807") == Paging.lastPage && Paging.page("x") == 1)
        }
    }

    @Test func metricsAreOffWithoutTheCallback() async throws {
        try await withProxyRouter { proxy in
            let metrics = try await proxy.request(.get, "/metrics")
            #expect(metrics.status == 404)
            #expect(proxy.gateway.metrics == nil)
        }
    }
}
