import Foundation
import Wire

extension RequestFacts {
    /// A request's facts as it starts on `deployment`: nothing answered yet.
    init(callID: String, call: ProxyCall, caller: Caller, deployment: ModelDeployment, request: JSONObject) {
        self.init(
            callID: callID,
            operation: call.operation,
            caller: caller,
            deployment: deployment,
            request: request,
            startedAt: call.startedAt,
            firstByteAt: nil,
            clientIP: call.clientIP,
            response: nil,
            usage: nil,
            upstreamModel: nil,
            error: nil,
            attemptStartedAt: nil
        )
        userAgent = call.header("user-agent")
    }
}
