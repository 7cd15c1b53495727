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
        ("/ui/audit", "Audit"),
    ]

    init(current: String, session: UISession, flash: [String]) {
        nav = UIChrome.sections.map { Link(href: $0.0, label: $0.1, current: $0.0 == current) }
        user = session.username
        csrf = session.csrfToken
        self.flash = flash
    }
}
