import Hummingbird
import NIOCore

/// `GET /metrics` in the Prometheus text format, on the main port (`callbacks: ["prometheus"]`) or its own
/// (`--metrics-port`).
public struct MetricsController: Sendable {
    let metrics: ProxyMetrics
    let writer: SpendWriter?

    public init(metrics: ProxyMetrics, writer: SpendWriter?) {
        self.metrics = metrics
        self.writer = writer
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render(writer: writer?.counters)))
            )
        }
    }
}
