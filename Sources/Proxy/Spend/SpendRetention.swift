import Foundation
import Logging
import ServiceLifecycle

/// `general_settings.maximum_spend_logs_retention_period` (e.g. "30d"): deletes older spend rows in the
/// background, every `maximum_spend_logs_retention_interval` (default "1d"), and once at start.
public struct SpendRetention: Service {
    public let store: any SpendStore
    public let period: TimeInterval
    public let interval: Duration
    let logger: Logger

    public init(store: any SpendStore, period: TimeInterval, interval: Duration, logger: Logger) {
        self.store = store
        self.period = period
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                let deleted = try await store.deleteSpendLogs(before: Date().addingTimeInterval(-period))
                if deleted > 0 { logger.info("old spend rows deleted", metadata: ["rows": "\(deleted)"]) }
            } catch {
                logger.warning(
                    "spend retention pass failed",
                    metadata: ["error": "\(String(describing: type(of: error)))"]
                )
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
