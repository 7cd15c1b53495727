import Wire

/// The HTML the authorize endpoint answers with: the sign-in page (one button per configured user) and Entra's
/// error page. Self-contained (no script, no external assets) so it works offline and in a headless browser; every
/// value a request brought is escaped.
enum EntraSignInPage {
    static let title = "Sign in to your account"

    /// One form per user, each posting back to the authorize URL (no `action`: the page's own) with every query
    /// parameter as a hidden field and the user's name; `hint` (`login_hint`) puts that user first.
    static func render(users: [EntraUser], fields: EntraForm, hint: String?) -> String {
        let hidden = fields.pairs.filter { $0.name != "username" }.map { pair in
            "<input type=\"hidden\" name=\"\(HTMLText.escape(pair.name))\" value=\"\(HTMLText.escape(pair.value))\">"
        }.joined(separator: "\n")
        let wanted = hint?.lowercased()
        let ordered =
            users.filter { $0.username.lowercased() == wanted } + users.filter { $0.username.lowercased() != wanted }
        let forms = ordered.map { user in
            """
            <form method="post">
            \(hidden)
            <input type="hidden" name="username" value="\(HTMLText.escape(user.username))">
            <button type="submit">Sign in as \(HTMLText.escape(user.username))</button>
            <span class="name">\(HTMLText.escape(user.displayName))</span>
            </form>
            """
        }.joined(separator: "\n")
        let body = users.isEmpty ? "<p>No accounts are configured for this tenant.</p>" : forms
        return document("<h1>Pick an account</h1>\n\(body)")
    }

    /// Entra's "Sorry, but we're having trouble signing you in" page, with the AADSTS text and trace details.
    static func error(_ error: EntraError, trace: EntraError.Trace = EntraError.Trace()) -> String {
        document(
            """
            <h1>Sign in</h1>
            <p>Sorry, but we’re having trouble signing you in.</p>
            <p class="error">AADSTS\(error.code): \(HTMLText.escape(error.message))</p>
            <h2>Troubleshooting details</h2>
            <dl>
            <dt>Request Id</dt><dd>\(trace.traceID)</dd>
            <dt>Correlation Id</dt><dd>\(trace.correlationID)</dd>
            <dt>Timestamp</dt><dd>\(HTMLText.escape(trace.timestamp))</dd>
            </dl>
            """
        )
    }

    static func document(_ main: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title)</title>
        <style>
        body { font-family: "Segoe UI", sans-serif; background: #f2f2f2; margin: 0; }
        main { background: #fff; max-width: 440px; margin: 60px auto; padding: 44px; }
        form { display: flex; align-items: center; gap: 12px; margin: 12px 0; }
        button { background: #0067b8; color: #fff; border: 0; padding: 8px 16px; cursor: pointer; }
        .name { color: #666; }
        .error { color: #e81123; }
        </style>
        </head>
        <body>
        <main>
        <div class="brand">Microsoft (MockAzure emulation)</div>
        \(main)
        </main>
        </body>
        </html>

        """
    }

}
