import Foundation
import Hummingbird
import Wire

/// The Models page: each model group and its deployments (api_base, api_version; never a key), and their health
/// when asked for (`?health=1` probes every deployment, as `/health` does).
extension AdminUI {
    struct ModelsPage {
        struct Deployment {
            var id: String
            var model: String
            var provider: String
            var apiBase: String
            var apiVersion: String
            var settings: String
            var checked: Bool
            var healthy: Bool
            var error: String
        }

        struct Group {
            var name: String
            var deployments: [Deployment]
        }

        struct Alias {
            var name: String
            var target: String
        }

        var groups: [Group]
        var aliases: [Alias]
        var hasAliases: Bool
        var checked: Bool
        var canCheck: Bool
        var summary: String
    }

    func modelsPage(_ request: Request, id: String, session: UISession) async -> Response {
        // A check calls every deployment upstream (paid calls): only a role that may change things may start one.
        let check = UIForm.query(request)["health"] == "1" && AdminUI.changingRoles.contains(session.role)
        var results: [String: String?] = [:]
        if check {
            let health = await services.health.run()
            for entry in health["healthy_endpoints"]?.arrayValue ?? [] {
                if let model = entry["model_id"]?.stringValue { results[model] = .some(nil) }
            }
            for entry in health["unhealthy_endpoints"]?.arrayValue ?? [] {
                if let model = entry["model_id"]?.stringValue {
                    results[model] = .some(entry["error"]?.stringValue ?? "unhealthy")
                }
            }
            logger.info("ui health check", metadata: ["user": "\(session.username)"])
        }
        let masterKey = settings.masterKey
        let groups = services.catalog.router.groupOrder.map { name in
            ModelsPage.Group(
                name: name,
                deployments: (services.catalog.router.groups[name] ?? []).map { deployment in
                    let result = results[deployment.id]
                    let settings = [
                        deployment.timeout.map { "timeout \(NumberText.cost($0)) s" },
                        deployment.streamTimeout.map { "stream timeout \(NumberText.cost($0)) s" },
                        deployment.rpm.map { "\($0) RPM" }, deployment.tpm.map { "\($0) TPM" },
                        deployment.weight.map { "weight \(NumberText.cost($0))" },
                        deployment.modelInfo["mode"]?.stringValue.map { "mode \($0)" },
                    ].compactMap { $0 }
                    return ModelsPage.Deployment(
                        id: deployment.id,
                        model: deployment.model,
                        provider: deployment.provider.rawValue,
                        apiBase: deployment.publicAPIBase ?? "–",
                        apiVersion: deployment.apiVersion ?? "default",
                        settings: settings.isEmpty ? "–" : settings.joined(separator: " · "),
                        checked: result != nil,
                        healthy: result.map { $0 == nil } ?? false,
                        error: UIFormat.redactText((result ?? nil) ?? "", masterKey: masterKey)
                    )
                }
            )
        }
        let healthy = results.values.filter { $0 == nil }.count
        let page = ModelsPage(
            groups: groups,
            aliases: services.catalog.router.aliases.sorted { $0.key < $1.key }.map {
                ModelsPage.Alias(name: $0.key, target: $0.value)
            },
            hasAliases: !services.catalog.router.aliases.isEmpty,
            checked: check,
            canCheck: AdminUI.changingRoles.contains(session.role),
            summary: "\(healthy) healthy, \(results.count - healthy) unhealthy"
        )
        return render("models", title: "Models", page: page, session: (id, session, "/ui/models"))
    }
}
