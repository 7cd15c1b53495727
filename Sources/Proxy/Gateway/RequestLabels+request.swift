extension RequestLabels {
    /// A request's labels before any deployment answered: its caller once known, the model group once resolved.
    init(_ call: ProxyCall, caller: Caller?, group: String?) {
        self.init(caller: caller, route: call.route, clientIP: call.clientIP, userAgent: call.header("user-agent"))
        if let group { requestedModel = group }
    }
}
