/// A user of the emulated tenant: what the ID token, `/v1.0/me` and `/v1.0/me/memberOf` say about them.
public struct EntraUser: Sendable, Equatable {
    /// A security group the user is a member of (Graph's `memberOf`).
    public struct Group: Sendable, Equatable {
        /// The group's object id, a GUID: the proxy names teams by it.
        public var id: String
        public var displayName: String

        public init(id: String, displayName: String) {
            self.id = id
            self.displayName = displayName
        }
    }

    /// The user principal name, also the mail address and the sign-in page's button (`admin@contoso.com`).
    public var username: String
    public var displayName: String
    public var givenName: String
    public var surname: String
    /// The user's object id (`oid`, Graph's `id`), a GUID that stays the same across applications.
    public var objectID: String
    /// The application's app roles assigned to the user: the ID token's `roles` (LiteLLM reads roles such as
    /// `proxy_admin` from it).
    public var appRoles: [String]
    public var groups: [Group]

    public init(
        username: String,
        displayName: String,
        givenName: String,
        surname: String,
        objectID: String,
        appRoles: [String] = [],
        groups: [Group] = []
    ) {
        self.username = username
        self.displayName = displayName
        self.givenName = givenName
        self.surname = surname
        self.objectID = objectID
        self.appRoles = appRoles
        self.groups = groups
    }
}
