import Foundation
import Wire

/// "LiteLLM_VerificationToken": the columns this gateway writes, and each backend's table.
enum KeySchema {
    static let columns = [
        "token", "key_name", "key_alias", "spend", "expires", "models", "max_budget", "budget_duration",
        "budget_reset_at",
        "tpm_limit", "rpm_limit", "max_parallel_requests", "user_id", "team_id", "metadata", "blocked", "created_at",
        "created_by", "updated_at",
    ]

    static var quotedColumns: String { columns.map { "\"\($0)\"" }.joined(separator: ", ") }

    static let sqliteTable = """
        CREATE TABLE IF NOT EXISTS "LiteLLM_VerificationToken" (
            "token" TEXT PRIMARY KEY NOT NULL, "key_name" TEXT, "key_alias" TEXT, \
        "soft_budget_cooldown" INTEGER NOT NULL DEFAULT 0,
            "spend" REAL NOT NULL DEFAULT 0.0, "total_spend" REAL NOT NULL DEFAULT 0.0, "expires" TEXT, \
        "models" TEXT NOT NULL DEFAULT '[]',
            "aliases" TEXT NOT NULL DEFAULT '{}', "config" TEXT NOT NULL DEFAULT '{}', "user_id" TEXT, "team_id" TEXT,
            "permissions" TEXT NOT NULL DEFAULT '{}', "max_parallel_requests" INTEGER, \
        "metadata" TEXT NOT NULL DEFAULT '{}', "blocked" INTEGER,
            "tpm_limit" INTEGER, "rpm_limit" INTEGER, "max_budget" REAL, "budget_duration" TEXT, "budget_reset_at" TEXT,
            "created_at" TEXT, "created_by" TEXT, "updated_at" TEXT, "updated_by" TEXT
        )
        """

    static let postgresTable = """
        CREATE TABLE IF NOT EXISTS "LiteLLM_VerificationToken" (
            "token" TEXT NOT NULL PRIMARY KEY, "key_name" TEXT, "key_alias" TEXT, \
        "soft_budget_cooldown" BOOLEAN NOT NULL DEFAULT false,
            "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0, "total_spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0, \
        "expires" TIMESTAMP(3),
            "models" TEXT[], "aliases" JSONB NOT NULL DEFAULT '{}', "config" JSONB NOT NULL DEFAULT '{}', \
        "router_settings" JSONB DEFAULT '{}',
            "user_id" TEXT, "team_id" TEXT, "permissions" JSONB NOT NULL DEFAULT '{}', "max_parallel_requests" INTEGER,
            "metadata" JSONB NOT NULL DEFAULT '{}', "blocked" BOOLEAN, "tpm_limit" BIGINT, "rpm_limit" BIGINT, \
        "max_budget" DOUBLE PRECISION,
            "budget_duration" TEXT, "budget_reset_at" TIMESTAMP(3), \
        "created_at" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP, "created_by" TEXT,
            "updated_at" TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP, "updated_by" TEXT
        )
        """

    /// Column values as text (or nil), the form both backends read back.
    static func texts(_ key: VirtualKey) -> [String?] {
        [
            key.token, key.keyName, key.keyAlias, String(key.spend), key.expires.map(TimestampText.format),
            JSON.array(key.models.map(JSON.string)).serialized(),
            key.maxBudget.map { String($0) }, key.budgetDuration, key.budgetResetAt.map(TimestampText.format),
            key.tpmLimit.map(String.init),
            key.rpmLimit.map(String.init), key.maxParallelRequests.map(String.init), key.userID, key.teamID,
            key.metadata.serialized(),
            key.blocked ? "true" : "false", TimestampText.format(key.createdAt), key.createdBy,
            TimestampText.format(key.updatedAt),
        ]
    }

    static func key(from values: [String: String]) -> VirtualKey? {
        guard let token = values["token"] else { return nil }
        let models = values["models"].flatMap { try? JSON.parse($0) }?.arrayValue?.compactMap(\.stringValue) ?? []
        return VirtualKey(
            token: token,
            keyName: values["key_name"] ?? "",
            keyAlias: values["key_alias"],
            spend: values["spend"].flatMap(Double.init) ?? 0,
            expires: values["expires"].flatMap(TimestampText.parse),
            models: models,
            maxBudget: values["max_budget"].flatMap(Double.init),
            budgetDuration: values["budget_duration"],
            budgetResetAt: values["budget_reset_at"].flatMap(TimestampText.parse),
            tpmLimit: values["tpm_limit"].flatMap(Int.init),
            rpmLimit: values["rpm_limit"].flatMap(Int.init),
            maxParallelRequests: values["max_parallel_requests"].flatMap(Int.init),
            userID: values["user_id"],
            teamID: values["team_id"],
            metadata: values["metadata"].flatMap { try? JSON.parse($0) } ?? [:],
            blocked: ["true", "1", "t"].contains(values["blocked"] ?? ""),
            createdAt: values["created_at"].flatMap(TimestampText.parse) ?? Date(),
            createdBy: values["created_by"],
            updatedAt: values["updated_at"].flatMap(TimestampText.parse)
        )
    }
}
