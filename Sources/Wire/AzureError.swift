/// Azure OpenAI's error bodies, exactly as the service sends them (see the wire reference). One place knows them:
/// MockAzure answers with them and the conformance runner expects them.
public enum AzureError {
    public static func body(code: String, message: String) -> JSON {
        .object(["error": .object(["code": .string(code), "message": .string(message)])])
    }

    /// Missing or unknown `api-version` on a deployments URL.
    public static let resourceNotFound = (status: 404, body: body(code: "404", message: "Resource not found"))

    /// Unknown `api-version` on the `/openai/v1/` surface.
    public static let apiVersionNotSupported = (
        status: 400, body: body(code: "BadRequest", message: "API version not supported")
    )

    public static let invalidKey = (
        status: 401,
        body: body(
            code: "401",
            message:
                """
                Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key \
                for an active subscription and use a correct regional API endpoint for your resource.
                """
        )
    )

    public static let entraDenied = (
        status: 401, body: body(code: "PermissionDenied", message: "Principal does not have access to API/Operation.")
    )

    /// A bearer token that is missing, not Entra's, for another audience or expired.
    public static let invalidToken = (
        status: 401,
        body: body(
            code: "401",
            message:
                """
                Unauthorized. Access token is missing, invalid, audience is incorrect \
                (https://cognitiveservices.azure.com), or have expired.
                """
        )
    )

    /// An `api-key` sent to a resource whose key authentication is disabled (`disableLocalAuth`).
    public static let keyAuthenticationDisabled = (
        status: 403,
        body: body(
            code: "AuthenticationTypeDisabled",
            message: "Key based authentication is disabled for this resource."
        )
    )

    public static let deploymentNotFound = (
        status: 404,
        body: body(
            code: "DeploymentNotFound",
            message:
                """
                The API deployment for this resource does not exist. If you created the deployment within the last 5 \
                minutes, please wait a moment and try again.
                """
        )
    )

    public static let timeout = (status: 408, body: body(code: "Timeout", message: "The operation was timeout."))

    public static let serverError = (
        status: 500,
        body: JSON.object([
            "error": .object([
                "message": """
                The server had an error while processing your request. Sorry about that! You can retry your \
                request, or contact us through an Azure support request at: \
                https://go.microsoft.com/fwlink/?linkid=2213926 if the error persists.
                """,
                "type": "server_error",
                "param": .null,
                "code": .null,
            ])
        ])
    )

    public static let serviceUnavailable = (
        status: 503,
        body: body(
            code: "ServiceUnavailable",
            message: "The service is temporarily unable to process your request. Please try again later."
        )
    )

    public static let bodyTooLarge = (
        status: 413,
        body: body(
            code: "RequestEntityTooLarge",
            message: "The request body is too large. Reduce the size of the request and try again."
        )
    )

    /// A body that is not JSON, in the OpenAI-style shape Azure uses for request validation errors.
    public static func invalidJSON(_ reason: String) -> (status: Int, body: JSON) {
        (
            400,
            .object([
                "error": .object([
                    "message": .string(
                        """
                        We could not parse the JSON body of your request. (HINT: This likely means you aren't using \
                        your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not \
                        valid JSON. If you have trouble figuring out how to fix this, please contact us through our \
                        help center at help.openai.com.) Detail: \(reason)
                        """
                    ),
                    "type": "invalid_request_error",
                    "param": .null,
                    "code": .null,
                ])
            ])
        )
    }

    /// A request-validation error (`invalid_request_error`) such as a missing required field.
    public static func invalidRequest(message: String, param: String?, code: String?) -> (status: Int, body: JSON) {
        (
            400,
            .object([
                "error": .object([
                    "message": .string(message),
                    "type": "invalid_request_error",
                    "param": param.map(JSON.string) ?? .null,
                    "code": code.map(JSON.string) ?? .null,
                ])
            ])
        )
    }

    /// A required body field that is absent.
    public static func missingParameter(_ name: String) -> (status: Int, body: JSON) {
        invalidRequest(
            message: "Missing required parameter: '\(name)'.",
            param: name,
            code: "missing_required_parameter"
        )
    }

    /// o-series models refuse sampling parameters and `max_tokens`.
    public static func unsupportedParameter(_ name: String) -> (status: Int, body: JSON) {
        let hint = name == "max_tokens" ? " Use 'max_completion_tokens' instead." : ""
        let message =
            name == "max_tokens"
            ? "Unsupported parameter: 'max_tokens' is not supported with this model.\(hint)"
            : "Unsupported parameter: '\(name)' is not supported with this model."
        return invalidRequest(message: message, param: name, code: "unsupported_parameter")
    }

    /// The token-rate 429, naming the api-version and the wait as Azure does.
    public static func rateLimited(apiVersion: String, retryAfter: Int, tokens: Bool) -> (status: Int, body: JSON) {
        let kind = tokens ? "token rate limit" : "call rate limit"
        return (
            429,
            body(
                code: "429",
                message:
                    """
                    Requests to the ChatCompletions_Create Operation under Azure OpenAI API version \(apiVersion) have \
                    exceeded \(kind) of your current OpenAI S0 pricing tier. Please retry after \(retryAfter) seconds. \
                    Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default \
                    rate limit.
                    """
            )
        )
    }
}
