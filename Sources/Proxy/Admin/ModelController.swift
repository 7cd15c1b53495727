import Hummingbird
import Wire

/// `/models`, `/models/{id}` and `/model/info` (each also under `/v1`), for any valid key.
struct ModelController {
    let catalog: ModelCatalog

    func addRoutes(to group: RouterGroup<ProxyRequestContext>) {
        for prefix in ["", "/v1"] {
            group.get("\(prefix)/models") { _, _ in HTTPAnswer.json(200, catalog.list()) }
            group.get("\(prefix)/models/:id") { _, context in
                let id = context.parameters.get("id") ?? ""
                guard let model = catalog.model(named: id) else { return HTTPAnswer.error(.modelNotFound(id)) }
                return HTTPAnswer.json(200, model)
            }
            group.get("\(prefix)/model/info") { _, _ in HTTPAnswer.json(200, catalog.info()) }
        }
    }
}
