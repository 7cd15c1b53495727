import Wire

extension ProxyError {
    /// A stored response's id that names no deployment of this proxy (an upstream id, or one issued by another
    /// proxy): LiteLLM's refusal, since nothing says which deployment holds it.
    public static var responseNotIssued: ProxyError {
        ProxyError(
            OpenAIError(
                status: 403,
                message: "Forbidden. This response id was not issued by this proxy, so the proxy cannot tell who "
                    + "owns it. To let keys address responses this proxy did not issue, set "
                    + "general_settings::allow_unmanaged_response_ids to True in the config.yaml file.",
                type: "permission_error",
                param: "response_id",
                code: "403"
            )
        )
    }

    /// A pass-through path with an empty, `.` or `..` segment: it could leave the resource it is meant for.
    public static func invalidPassThroughPath(_ path: String) -> ProxyError {
        ProxyError(
            OpenAIError(
                status: 400,
                message: "Invalid pass-through path '\(path.prefix(200))': empty, '.' and '..' segments are refused.",
                type: "invalid_request_error",
                param: nil,
                code: "400"
            )
        )
    }
}
