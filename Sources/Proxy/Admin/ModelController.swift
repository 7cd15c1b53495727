import Hummingbird
import Wire

/// `/models`, `/models/{id}`, `/model/info` and `/model_group/info` (each also under `/v1`), for any valid key: a
/// key sees the model groups it (or its team) may use, never the others.
struct ModelController {
    let catalog: ModelCatalog

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        for prefix in ["", "/v1"] {
            group.get("\(prefix)/models") { request, context in
                // No model access groups are configured here, so listing only those lists none, as LiteLLM does.
                let groupsOnly = HTTPAnswer.query(request)["only_model_access_groups"]?.lowercased() == "true"
                return HTTPAnswer.json(
                    200,
                    catalog.list(visibleTo: groupsOnly ? { _ in false } : Self.visibility(context))
                )
            }
            group.get("\(prefix)/models/:id") { _, context in
                let id = context.parameters.get("id") ?? ""
                guard let model = catalog.model(named: id), Self.visibility(context)(id) else {
                    return HTTPAnswer.error(.modelNotFound(id))
                }
                return HTTPAnswer.json(200, model)
            }
            group.get("\(prefix)/model/info") { _, context in
                HTTPAnswer.json(200, catalog.info(visibleTo: Self.visibility(context)))
            }
            group.get("\(prefix)/model_group/info") { request, context in
                let only = HTTPAnswer.query(request)["model_group"]
                return HTTPAnswer.json(200, catalog.groupInfo(visibleTo: Self.visibility(context), only: only))
            }
        }
    }

    /// Which model groups the caller may see (nobody's, without the key check in front): LiteLLM lists the key's
    /// models, else its team's, else every model.
    static func visibility(_ context: ProxyRequestContext) -> @Sendable (String) -> Bool {
        guard let caller = context.caller else { return { _ in false } }
        let listed = caller.keyModels.isEmpty ? caller.teamModels : caller.keyModels
        return { Caller.allows(listed, $0) }
    }
}
