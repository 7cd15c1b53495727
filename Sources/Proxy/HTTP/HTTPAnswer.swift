import HTTPTypes
import Hummingbird
import NIOCore
import Wire

/// The management routes' answers in LiteLLM's shapes, and header lists as the gateway takes them.
enum HTTPAnswer {
    static func json(_ status: Int, _ body: JSON) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: body.byteBuffer())
        )
    }

    static func error(_ error: ProxyError) -> Response {
        Response(
            status: .init(code: error.status),
            headers: fields([("content-type", "application/json")] + error.headers),
            body: .init(byteBuffer: error.error.json.byteBuffer())
        )
    }

    /// A JSON answer, or the error's own response.
    static func answer(_ body: () async throws(ProxyError) -> JSON) async -> Response {
        do {
            return json(200, try await body())
        } catch {
            return HTTPAnswer.error(error)
        }
    }

    static func query(_ request: Request) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { result[String(key)] = String(value) }
        return result
    }

    /// Header fields as the gateway takes them: (lower-case name, value).
    static func headers(_ fields: HTTPFields) -> [(String, String)] {
        fields.map { ($0.name.canonicalName, $0.value) }
    }

    static func fields(_ headers: [(String, String)]) -> HTTPFields {
        var fields = HTTPFields()
        fields.reserveCapacity(headers.count)
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("x-forwarded-for")!
}
