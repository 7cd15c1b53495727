import Foundation
import Mustache
import NIOCore

/// The UI's mustache templates (`UI/Templates/*.mustache`) and static files (`UI/Static`), read once from the
/// Proxy target's resources. `{{ }}` escapes for HTML; the templates use nothing else for data.
struct UITemplates: Sendable {
    let library: MustacheLibrary
    /// Static files by name (`ui.css`, `ui.js`).
    let statics: [String: ByteBuffer]
    /// Why loading failed, if it did (pages then answer 500 with it).
    let problem: String?

    static let shipped = UITemplates(bundle: .module)

    init(bundle: Bundle) {
        var library = MustacheLibrary()
        var statics: [String: ByteBuffer] = [:]
        var problem: String?
        let files = FileManager.default
        if let folder = bundle.url(forResource: "Templates", withExtension: nil),
            let names = try? files.contentsOfDirectory(atPath: folder.path)
        {
            for name in names.sorted() where name.hasSuffix(".mustache") {
                do {
                    let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
                    library.register(
                        try MustacheTemplate(string: text),
                        named: String(name.dropLast(".mustache".count))
                    )
                } catch {
                    problem = "template \(name): \(error)"
                }
            }
        } else {
            problem = "the UI templates are missing from the Proxy resources"
        }
        if let folder = bundle.url(forResource: "Static", withExtension: nil),
            let names = try? files.contentsOfDirectory(atPath: folder.path)
        {
            for name in names {
                if let data = files.contents(atPath: folder.appendingPathComponent(name).path) {
                    statics[name] = ByteBuffer(bytes: data)
                }
            }
        }
        self.library = library
        self.statics = statics
        self.problem = problem
    }

    /// Renders a page template (which names `layout` as its parent) with its view.
    func render(_ template: String, _ view: UIView) -> String? {
        library.render(view, withTemplate: template)
    }
}
