import Foundation
import Hummingbird
import Wire

/// The Keys page: list, create (the full key shown once, on the page right after), block/unblock, delete.
extension AdminUI {
    struct KeysPage {
        struct Model {
            var name: String
        }

        var keys: [UIKeyRow]
        var empty: Bool
        var total: String
        var created: UICreatedKey?
        var models: [Model]
        var pager: UIPager
        var noStore: Bool
        /// The role may create, block and delete keys here (else the forms are not shown; the posts are refused).
        var canChange: Bool
    }

    static let keysPageSize = 50

    func keysPage(_ request: Request, id: String, session: UISession) async throws -> Response {
        let page = Paging.page(UIForm.query(request)["page"])
        // Taken before rendering, so the new key is on this page only.
        let created = sessions.takeCreatedKey(id: id)
        var keys: [VirtualKey] = []
        var total = 0
        if let service = services.keys {
            do {
                let owner = session.scope.ownUser.map(KeyOwner.user)
                keys = try await service.store.listKeys(
                    owner: owner,
                    offset: (page - 1) * AdminUI.keysPageSize,
                    limit: AdminUI.keysPageSize
                )
                total = try await service.store.countKeys(owner: owner)
            } catch {
                throw UIFailure(
                    status: 503,
                    message:
                        "The key database is unavailable (\(String(describing: type(of: error)))). Try again shortly."
                )
            }
        }
        let view = KeysPage(
            keys: keys.map { UIKeyRow($0) },
            empty: keys.isEmpty,
            total: UIFormat.count(total),
            created: created,
            models: services.catalog.router.groupOrder.map(KeysPage.Model.init),
            pager: UIPager(page: page, total: total, size: AdminUI.keysPageSize) { "/ui/keys?page=\($0)" },
            noStore: services.keys == nil,
            canChange: AdminUI.changingRoles.contains(session.role)
        )
        return render("keys", title: "Keys", page: view, session: (id, session, "/ui/keys"))
    }

    func createKey(_ form: UIForm, id: String, session: UISession) async throws -> Response {
        guard let service = services.keys else {
            throw UIFailure(status: 400, message: "Keys need a database (none is connected).")
        }
        let generated = try await service.generate(try UIKeyRow.generateBody(form))
        guard let key = generated["key"]?.stringValue else {
            throw UIFailure(status: 500, message: "The key service returned no key.")
        }
        let created = UICreatedKey(
            key: key,
            keyName: generated["key_name"]?.stringValue ?? SecretHash.abbreviated(key),
            alias: generated["key_alias"]?.stringValue
        )
        sessions.update(id: id) { $0.createdKey = created }
        logger.info(
            "ui key created",
            metadata: [
                "user": "\(session.username)", "key_name": "\(created.keyName)",
                "key_alias": "\(UIFormat.redactText(created.alias ?? "", masterKey: settings.masterKey))",
            ]
        )
        return AdminUI.redirect("/ui/keys")
    }

    /// Block, unblock or delete the key a form names by its hash.
    func changeKey(_ operation: String, form: UIForm, id: String, session: UISession) async throws -> Response {
        guard let service = services.keys else {
            throw UIFailure(status: 400, message: "Keys need a database (none is connected).")
        }
        // Only a hash is accepted here: a form never carries a key.
        guard let token = form["token"], token.count == 64, token.allSatisfy(\.isHexDigit) else {
            throw UIFailure(status: 400, message: "No key selected.")
        }
        let message: String
        switch operation {
        case "block", "unblock":
            let key = try await service.setBlocked(["key": .string(token)], blocked: operation == "block")
            message = "Key \(key["key_name"]?.stringValue ?? "") \(operation)ed."
        default:
            let deleted = try await service.delete(["keys": [.string(token)]])
            guard deleted["deleted_keys"]?.arrayValue?.isEmpty == false else {
                throw UIFailure(status: 404, message: "Key not found.")
            }
            message = "Key deleted."
        }
        logger.info("ui key \(operation)", metadata: ["user": "\(session.username)", "key_hash": "\(token)"])
        sessions.update(id: id) { $0.flash.append(message) }
        return AdminUI.redirect("/ui/keys")
    }
}
