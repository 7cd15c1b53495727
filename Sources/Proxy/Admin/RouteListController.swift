import Hummingbird
import Wire

/// `GET /routes`, public as in LiteLLM: every route the router serves, `{"routes": [{path, methods, name, endpoint}]}`
/// with LiteLLM's `{param}` path syntax. Added last, so the list is the router's whole surface (itself included).
struct RouteListController: Sendable {
    func addRoutes(to router: Router<ProxyRequestContext>) {
        var methods: [(path: String, methods: [String])] = []
        let served = router.routes.map { ($0.path.description, $0.method.rawValue) } + [("/routes", "GET")]
        for (rawPath, method) in served {
            let path =
                "/"
                + rawPath.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .joined(separator: "/")
            if let index = methods.firstIndex(where: { $0.path == path }) {
                methods[index].methods.append(method)
            } else {
                methods.append((path, [method]))
            }
        }
        let body: JSON = [
            "routes": .array(
                methods.sorted { $0.path < $1.path }.map { route in
                    let name = route.path.split { !$0.isLetter && !$0.isNumber }.joined(separator: "_")
                    return [
                        "path": .string(route.path), "methods": .array(route.methods.sorted().map(JSON.string)),
                        "name": .string(name), "endpoint": .string(name),
                    ]
                }
            )
        ]
        router.get("/routes") { _, _ in HTTPAnswer.json(200, body) }
    }
}
