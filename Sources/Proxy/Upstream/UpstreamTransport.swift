import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// What an upstream answered: a stream still arriving, or a whole body read within its bounds.
public struct UpstreamResponse: Sendable {
    public enum Body: Sendable {
        case stream(HTTPClientResponse.Body)
        case complete(ByteBuffer)
    }

    public var status: HTTPResponseStatus
    public var headers: HTTPHeaders
    public var body: Body
}

/// The one way a request reaches an upstream. Streams go through AsyncHTTPClient's pool; whole answers through
/// keep-alive connections pinned to the client connection's event loop when there is one (no thread hop), else the
/// pool. Never follows redirects (both clients refuse them), bounds every body, and maps transport failures to the
/// errors LiteLLM gives.
public struct UpstreamTransport: Sendable {
    let client: HTTPClient
    let pinned: PinnedHTTPClient?
    /// Largest upstream body read into memory (non-stream answers and error bodies).
    let maximumBody: Int

    public init(client: HTTPClient, pinned: PinnedHTTPClient? = nil, maximumBody: Int = 64 * 1024 * 1024) {
        self.client = client
        self.pinned = pinned
        self.maximumBody = maximumBody
    }

    /// Sends `request`; `timeout` (seconds) bounds the exchange up to the response head for a stream and the whole
    /// body otherwise.
    public func send(
        _ request: UpstreamRequest,
        stream: Bool,
        on loop: (any EventLoop)?,
        timeout: Double,
        deployment: ModelDeployment,
        logger: Logger
    ) async throws(ProxyError) -> UpstreamResponse {
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeout * 1000))
        do {
            if stream {
                var streamed = HTTPClientRequest(url: request.url)
                streamed.method = request.method
                for (name, value) in request.headers { streamed.headers.add(name: name, value: value) }
                streamed.body = .bytes(ByteBuffer(bytes: request.body))
                let response = try await client.execute(streamed, deadline: deadline, logger: logger)
                return UpstreamResponse(
                    status: response.status,
                    headers: response.headers,
                    body: .stream(response.body)
                )
            }
            if let pinned, let loop, request.method == .POST {
                let response = try await pinned.post(
                    url: request.url,
                    headers: request.headers,
                    body: ByteBuffer(bytes: request.body),
                    on: loop,
                    deadline: deadline,
                    maximumBodySize: maximumBody
                ).get()
                return UpstreamResponse(
                    status: response.status,
                    headers: response.headers,
                    body: .complete(response.body)
                )
            }
            let whole = try HTTPClient.Request(
                url: request.url,
                method: request.method,
                headers: HTTPHeaders(request.headers),
                body: request.body.isEmpty && request.method != .POST
                    ? nil : .byteBuffer(ByteBuffer(bytes: request.body))
            )
            let accumulator = ResponseAccumulator(request: whole, maxBodySize: maximumBody)
            let response = try await client.execute(
                request: whole,
                delegate: accumulator,
                eventLoop: .indifferent,
                deadline: deadline,
                logger: logger
            ).get()
            return UpstreamResponse(
                status: response.status,
                headers: response.headers,
                body: .complete(response.body ?? ByteBuffer())
            )
        } catch {
            throw Self.failure(error, timeout: timeout, deployment: deployment, logger: logger)
        }
    }

    /// A response's body whole, bounded in size and time (an error body that arrived on a stream request).
    public func collect(_ response: UpstreamResponse, timeout: Double, deployment: ModelDeployment, logger: Logger)
        async throws(ProxyError) -> [UInt8]
    {
        let body: HTTPClientResponse.Body
        switch response.body {
        case .complete(let buffer): return Array(buffer.readableBytesView)
        case .stream(let streamed): body = streamed
        }
        let limit = maximumBody
        do {
            return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask {
                    let buffer = try await body.collect(upTo: limit)
                    return Array(buffer.readableBytesView)
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                guard let first else { throw HTTPClientError.deadlineExceeded }
                return first
            }
        } catch {
            throw Self.failure(error, timeout: timeout, deployment: deployment, logger: logger)
        }
    }

    /// A transport failure as LiteLLM reports it: a timeout (408) or an unreachable upstream (500).
    static func failure(_ error: any Error, timeout: Double, deployment: ModelDeployment, logger: Logger) -> ProxyError
    {
        var timedOut =
            (error as? HTTPClientError).map { [.deadlineExceeded, .readTimeout, .connectTimeout].contains($0) } ?? false
        if (error as? PinnedHTTPClient.Failure) == .timeout { timedOut = true }
        if case ChannelError.connectTimeout? = error as? ChannelError { timedOut = true }
        if timedOut {
            logger.info("upstream timeout", metadata: ["model_id": "\(deployment.id)", "timeout_s": "\(timeout)"])
            return .timeout(seconds: timeout, deployment: deployment)
        }
        // The description names the failure class only: no URL with credentials, no headers.
        let reason: String
        if let error = error as? HTTPClientError {
            reason = error.shortDescription
        } else if let error = error as? PinnedHTTPClient.Failure {
            reason = "\(error)"
        } else if let error = error as? NIOConnectionError {
            reason = "connection to \(error.host):\(error.port) failed"
        } else if let error = error as? IOError {
            reason = "I/O error \(error.errnoCode)"
        } else {
            reason = String(describing: type(of: error))
        }
        logger.warning("upstream unreachable", metadata: ["model_id": "\(deployment.id)", "reason": "\(reason)"])
        return .unreachable(deployment: deployment, reason: reason)
    }
}
