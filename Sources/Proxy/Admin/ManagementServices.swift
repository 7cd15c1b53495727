import Logging

/// What the management routes and the admin UI read, handed to them instead of the gateway.
public struct ManagementServices: Sendable {
    public let catalog: ModelCatalog
    public let health: HealthReport
    public let spendLogs: SpendLogReader
    /// nil without a database.
    public let keys: KeyService?
    public let logger: Logger

    public init(
        catalog: ModelCatalog,
        health: HealthReport,
        spendLogs: SpendLogReader,
        keys: KeyService?,
        logger: Logger
    ) {
        self.catalog = catalog
        self.health = health
        self.spendLogs = spendLogs
        self.keys = keys
        self.logger = logger
    }
}
