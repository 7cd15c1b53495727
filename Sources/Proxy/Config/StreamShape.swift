/// How stream frames reach the client. LiteLLM's shape is the default because the common client loop
/// (`chunk.choices[0].delta.content`) crashes on Azure's own frames; Azure's raw frames stay available for clients
/// written against Azure directly (`general_settings.stream_shape: azure`, or a request's `x-stream-shape: azure`).
public enum StreamShape: String, Sendable {
    /// No frame with empty `choices` (but the usage frame a client asked for), no choice without `delta`; Azure's
    /// `prompt_filter_results` rides on the first frame that has choices.
    case litellm
    /// Azure's frames as they come (only `model` and the usage the client did not ask for are changed).
    case azure

    /// The request header that chooses the shape for one request.
    public static let header = "x-stream-shape"
}
