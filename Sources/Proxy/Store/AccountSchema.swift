/// LiteLLM's governance tables, with the columns this gateway reads and writes (the rest keep LiteLLM's defaults).
public enum AccountSchema {
    public static let teams = RecordTable(
        "LiteLLM_TeamTable",
        [
            ("team_id", .text), ("team_alias", .text), ("organization_id", .text), ("admins", .textArray),
            ("members", .textArray), ("members_with_roles", .json), ("metadata", .json), ("max_budget", .double),
            ("spend", .double), ("models", .textArray), ("max_parallel_requests", .integer), ("tpm_limit", .bigint),
            ("rpm_limit", .bigint), ("budget_duration", .text), ("budget_reset_at", .timestamp),
            ("blocked", .boolean), ("created_at", .timestamp), ("updated_at", .timestamp), ("model_spend", .json),
            ("model_max_budget", .json), ("model_id", .integer),
        ]
    )

    /// A team's model aliases (`model_aliases` on `/team/new`), the team's `model_id` naming the row.
    public static let models = RecordTable(
        "LiteLLM_ModelTable",
        [
            ("id", .serial), ("aliases", .json), ("created_at", .timestamp), ("created_by", .text),
            ("updated_at", .timestamp), ("updated_by", .text),
        ]
    )

    public static let users = RecordTable(
        "LiteLLM_UserTable",
        [
            ("user_id", .text), ("user_alias", .text), ("team_id", .text), ("organization_id", .text),
            ("teams", .textArray), ("user_role", .text), ("max_budget", .double), ("spend", .double),
            ("user_email", .text), ("models", .textArray), ("metadata", .json), ("max_parallel_requests", .integer),
            ("tpm_limit", .bigint), ("rpm_limit", .bigint), ("budget_duration", .text),
            ("budget_reset_at", .timestamp), ("model_spend", .json), ("model_max_budget", .json),
            ("created_at", .timestamp), ("updated_at", .timestamp), ("sso_user_id", .text),
        ]
    )

    /// End users (LiteLLM's "customers"): the request body's `user`.
    public static let endUsers = RecordTable(
        "LiteLLM_EndUserTable",
        [
            ("user_id", .text), ("alias", .text), ("spend", .double), ("allowed_model_region", .text),
            ("default_model", .text), ("budget_id", .text), ("blocked", .boolean),
        ]
    )

    public static let budgets = RecordTable(
        "LiteLLM_BudgetTable",
        [
            ("budget_id", .text), ("max_budget", .double), ("soft_budget", .double),
            ("max_parallel_requests", .integer), ("tpm_limit", .bigint), ("rpm_limit", .bigint),
            ("model_max_budget", .json), ("budget_duration", .text), ("budget_reset_at", .timestamp),
            ("created_at", .timestamp), ("created_by", .text), ("updated_at", .timestamp), ("updated_by", .text),
        ]
    )

    /// Management changes: who, what, the row before and the values after.
    public static let auditLog = RecordTable(
        "LiteLLM_AuditLog",
        [
            ("id", .text), ("updated_at", .timestamp), ("changed_by", .text), ("changed_by_api_key", .text),
            ("action", .text), ("table_name", .text), ("object_id", .text), ("before_value", .json),
            ("updated_values", .json),
        ]
    )

    public static let all = [teams, users, endUsers, budgets, models, auditLog]
}
