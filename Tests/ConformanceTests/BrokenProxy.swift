import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import TestSupport
import Wire

/// A deliberately broken proxy for proving checks can fail: it forwards to a real proxy and damages the answer
/// in one way.
enum Breakage: String, CaseIterable, Sendable {
    case dropDone, mergeFrames, dropFilterResults, wrongTokens, echoKeyInErrors, dropInnerError, dropCallID,
        keyInSpendLogs, bypassCache, dropGuardrails
}

struct BrokenProxy: Sendable {
    let upstream: String
    let breakage: Breakage

    func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let router = Router()
        let proxy = self
        for method in [HTTPRequest.Method.get, .post] {
            router.on("**", method: method) { request, _ in try await proxy.forward(request) }
        }
        return Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { await onServerRunning($0.localAddress?.port ?? 0) }
        )
    }

    func forward(_ request: Request) async throws -> Response {
        var body = try await request.body.collect(upTo: 8 << 20)
        // A proxy whose cache never answers: every request asks it not to.
        if breakage == .bypassCache, case .object(var object)? = try? JSON.parse(body.readableBytesView),
            object["messages"] != nil
        {
            object["cache"] = ["no-cache": true]
            body = JSON.object(object).byteBuffer()
        }
        // A proxy that ignores a request's guardrails: they are taken out of the body before the real proxy sees it.
        if breakage == .dropGuardrails, case .object(var object)? = try? JSON.parse(body.readableBytesView),
            object["guardrails"] != nil
        {
            object["guardrails"] = nil
            body = JSON.object(object).byteBuffer()
        }
        var outgoing = HTTPClientRequest(url: upstream + request.uri.path + (request.uri.query.map { "?" + $0 } ?? ""))
        outgoing.method = .init(rawValue: request.method.rawValue)
        for field in request.headers where !["host", "content-length"].contains(field.name.canonicalName) {
            outgoing.headers.add(name: field.name.canonicalName, value: field.value)
        }
        outgoing.body = .bytes(body)
        let presentedKey = request.headers[.authorization]?.replacingOccurrences(of: "Bearer ", with: "") ?? ""
        let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(60))
        var headers = HTTPFields()
        for (name, value) in response.headers
        where !["content-length", "transfer-encoding", "connection"].contains(name.lowercased()) {
            if breakage == .dropCallID, name.lowercased() == "x-litellm-call-id" { continue }
            if let fieldName = HTTPField.Name(name) { headers.append(HTTPField(name: fieldName, value: value)) }
        }
        let isStream = response.headers.first(name: "content-type")?.contains("event-stream") == true
        let breakage = self.breakage
        if isStream {
            return Response(
                status: .init(code: Int(response.status.code)),
                headers: headers,
                body: .init { writer in
                    var merged = ByteBuffer()
                    for try await var chunk in response.body {
                        switch breakage {
                        case .mergeFrames: merged.writeBuffer(&chunk)
                        case .dropDone:
                            let text = String(buffer: chunk).replacingOccurrences(of: "data: [DONE]\n\n", with: "")
                            if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
                        default: try await writer.write(chunk)
                        }
                    }
                    if breakage == .mergeFrames { try await writer.write(merged) }
                    try await writer.finish(nil)
                }
            )
        }
        let bytes = try await response.body.collect(upTo: 64 << 20)
        guard var json = try? JSON.parse(bytes.readableBytesView) else {
            return Response(
                status: .init(code: Int(response.status.code)),
                headers: headers,
                body: .init(byteBuffer: bytes)
            )
        }
        switch breakage {
        case .dropFilterResults:
            if case .array(let choices)? = json["choices"] {
                json["choices"] = .array(
                    choices.map { choice in
                        var choice = choice
                        choice["provider_specific_fields"] = nil
                        choice["content_filter_results"] = nil
                        return choice
                    }
                )
            }
        case .wrongTokens:
            if let total = json.value(at: "usage.total_tokens")?.intValue {
                json["usage"]?["total_tokens"] = .int(total + 1)
            }
        case .echoKeyInErrors:
            if json["error"] != nil { json["error"]?["message"] = .string("Invalid key \(presentedKey)") }
        case .dropInnerError:
            json["error"]?["provider_specific_fields"] = nil
        case .keyInSpendLogs:
            if case .array(let rows) = json {
                json = .array(
                    rows.map { row in
                        var row = row
                        row["api_key"] = .string(presentedKey)
                        return row
                    }
                )
            }
        default: break
        }
        return Response(
            status: .init(code: Int(response.status.code)),
            headers: headers,
            body: .init(byteBuffer: json.byteBuffer())
        )
    }
}
