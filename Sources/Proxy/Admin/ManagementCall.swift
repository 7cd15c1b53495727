import Hummingbird
import NIOCore
import Wire

/// Runs a management operation: the caller from the key check, the JSON body (empty for GETs) read whole and bounded,
/// the answer or the error in LiteLLM's shape.
enum ManagementCall {
    /// The largest management body read (a key's `metadata` included).
    static let maximumBody = 1024 * 1024

    static func run(
        _ request: Request,
        _ context: ProxyRequestContext,
        adminOnly: Bool = false,
        _ operation: (Caller, JSONObject) async throws(ProxyError) -> JSON
    ) async -> Response {
        // Only behind AuthMiddleware; a route added without it refuses rather than runs unchecked.
        guard let caller = context.caller else { return HTTPAnswer.error(.noKey) }
        if adminOnly, !caller.isAdmin { return HTTPAnswer.error(caller.adminOnly(request.uri.path)) }
        var request = request
        let bytes: ByteBuffer
        do {
            bytes = try await request.collectBody(upTo: maximumBody)
        } catch is NIOTooManyBytesError {
            // Never ignored: a record made from half a body would lose its models, budget, limits or expiry.
            return HTTPAnswer.error(.bodyTooLarge(limit: maximumBody))
        } catch {
            return HTTPAnswer.error(.unreadableBody)
        }
        return await HTTPAnswer.answer { () async throws(ProxyError) in
            var body = JSONObject()
            if bytes.readableBytes > 0 {
                guard case .object(let object)? = try? JSON.parse(bytes.readableBytesView) else {
                    throw ProxyError.invalidJSON("expected a JSON object")
                }
                body = object
            }
            // The audit log reads who makes the change from here, wherever the operation writes.
            let outcome = await AuditActor.$current.withValue(AuditActor(caller)) {
                () async -> Result<JSON, ProxyError> in
                do throws(ProxyError) {
                    return .success(try await operation(caller, body))
                } catch {
                    return .failure(error)
                }
            }
            return try outcome.get()
        }
    }

    /// Runs an operation on teams, users or end users and keys (`no_db_connection` without a database).
    static func runAccounts(
        _ request: Request,
        _ context: ProxyRequestContext,
        keys: KeyService?,
        adminOnly: Bool,
        _ operation: (AccountService, KeyService, Caller, JSONObject) async throws(ProxyError) -> JSON
    ) async -> Response {
        await run(request, context, adminOnly: adminOnly) { caller, body throws(ProxyError) in
            guard let keys, let accounts = keys.accounts else { throw noDatabase }
            return try await operation(accounts, keys, caller, body)
        }
    }

    /// LiteLLM's answer on a management route that needs the database when there is none.
    static let noDatabase = ProxyError(OpenAIError(status: 400, message: "No connected db.", type: "no_db_connection"))

    /// A list of strings from a body field: 400 naming it when missing, empty or not strings.
    static func ids(_ body: JSONObject, _ field: String) throws(ProxyError) -> [String] {
        guard let list = body[field]?.arrayValue, !list.isEmpty, list.allSatisfy({ $0.stringValue != nil }) else {
            throw AccountService.badRequest("\(field) must be a non-empty list of ids", param: field)
        }
        return list.compactMap(\.stringValue)
    }
}
