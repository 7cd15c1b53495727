import Foundation
import Wire

/// Who signed in, as the provider describes them, and the role LiteLLM would give them.
struct SSOIdentity: Sendable, Equatable {
    var userID: String
    var email: String?
    var displayName: String?
    /// The role the provider's claims grant (nil: none; the stored role or `internal_user_viewer` applies).
    var role: UserRole?
    /// Entra group ids (Graph `memberOf`): teams with these ids take the user as a member.
    var groups: [String]
    /// Why the groups could not be read (their teams are then left as they were).
    var groupsProblem: String?

    /// Reads the userinfo answer (Graph `/me` for Entra) and, for Entra, the ID token's app roles, as LiteLLM's
    /// `MicrosoftSSOHandler` and `generic_response_convertor` do. Nil when the user id attribute is missing.
    init?(settings: SSOSettings, userinfo: JSON, idTokenClaims: JSON?, groups: [String]) {
        guard let id = SSOIdentity.text(userinfo.value(at: settings.userIDAttribute)),
            !id.trimmingCharacters(in: .whitespaces).isEmpty
        else { return nil }
        userID = id
        var email = SSOIdentity.text(userinfo.value(at: settings.emailAttribute))
        if settings.provider == .microsoft, email == nil { email = userinfo["mail"]?.stringValue }
        self.email = email?.lowercased()
        displayName = SSOIdentity.text(userinfo.value(at: settings.displayNameAttribute))
        self.groups = groups
        switch settings.provider {
        case .microsoft:
            // Entra app roles arrive as `roles` (or `app_roles`) in the ID token; several resolve to the highest.
            let claims = idTokenClaims?["app_roles"]?.arrayValue ?? idTokenClaims?["roles"]?.arrayValue ?? []
            role = SSOIdentity.highest(claims.compactMap { $0.stringValue.flatMap(SSOIdentity.role) })
        case .generic:
            if let mappings = settings.roleMappings, !mappings.roles.isEmpty {
                role = SSOIdentity.mappedRole(SSOIdentity.groups(userinfo.value(at: mappings.groupClaim)), mappings)
            }
            if role == nil {
                // One role name, or a list of them (Keycloak's realm roles); LiteLLM ignores their case.
                let named = SSOIdentity.groups(userinfo.value(at: settings.roleAttribute))
                role = SSOIdentity.highest(named.compactMap(SSOIdentity.role))
            }
        }
        if let admin = settings.proxyAdminID, admin == id { role = .proxyAdmin }
    }

    /// LiteLLM's hierarchy, highest first.
    static let hierarchy: [UserRole] = [.proxyAdmin, .proxyAdminViewer, .internalUser, .internalUserViewer]

    static func highest(_ roles: [UserRole]) -> UserRole? {
        hierarchy.first { roles.contains($0) }
    }

    /// The highest role whose groups the user is in; else the default role.
    static func mappedRole(_ groups: [String], _ mappings: SSOSettings.RoleMappings) -> UserRole? {
        let member = Set(groups)
        let granted = mappings.roles.filter { !member.isDisjoint(with: $0.groups) }
            .compactMap { role($0.role) }
        return highest(granted) ?? mappings.defaultRole.flatMap(role)
    }

    /// A role name in any case (`PROXY_ADMIN` is `proxy_admin`).
    static func role(_ name: String) -> UserRole? {
        UserRole(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased())
    }

    /// A group claim as a list, a comma-separated string or one value.
    static func groups(_ value: JSON?) -> [String] {
        switch value {
        case .array(let items)?: return items.compactMap(text)
        case .string(let text)?:
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case let other?: return text(other).map { [$0] } ?? []
        case nil: return []
        }
    }

    static func text(_ value: JSON?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .number(let text)?: return text
        default: return nil
        }
    }
}
