/// What every template sees: the page chrome (nil on the login page) and the page's own values.
struct UIView {
    var title: String
    var chrome: UIChrome?
    var page: Any
}

/// The header of a logged-in page: the navigation, who is logged in, the CSRF token for its forms, messages.
struct UIChrome {
    struct Link {
        var href: String
        var label: String
        var current: Bool
    }

    var nav: [Link]
    var user: String
    var csrf: String
    var flash: [String]

    static let sections = [
        ("/ui/logs", "Logs"), ("/ui/keys", "Keys"), ("/ui/models", "Models"), ("/ui/usage", "Usage"),
        ("/ui/teams", "Teams"), ("/ui/users", "Users"), ("/ui/tags", "Tags"), ("/ui/audit", "Audit"),
    ]
    /// Sections only a scope that sees everything may open: not linked for the others (they would get a 403 page).
    static let everythingOnly: Set<String> = ["/ui/tags", "/ui/audit"]

    init(current: String, session: UISession, flash: [String]) {
        let seesEverything = UIScope(session).seesEverything
        nav = UIChrome.sections.filter { seesEverything || !UIChrome.everythingOnly.contains($0.0) }.map {
            Link(href: $0.0, label: $0.1, current: $0.0 == current)
        }
        user = session.username
        csrf = session.csrfToken
        self.flash = flash
    }
}
