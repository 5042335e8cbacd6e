//! Roles and permissions: the one policy that server functions, REST routes and the UI share.
//! Pure data, compiled into the WASM too (the UI hides what a role cannot use; the server
//! still checks every call).

use serde::{Deserialize, Serialize};

/// A staff member's role. Each role is a fixed set of permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Reception,
    Marketing,
    Readonly,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Admin, Role::Manager, Role::Reception, Role::Marketing, Role::Readonly];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Reception => "reception",
            Role::Marketing => "marketing",
            Role::Readonly => "readonly",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Manager => "Clinic manager",
            Role::Reception => "Reception",
            Role::Marketing => "Marketing",
            Role::Readonly => "Read-only",
        }
    }

    /// Whether this role holds `permission`.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::Manager => !matches!(permission, UsersWrite | JobsManage),
            Role::Reception => matches!(
                permission,
                ContactsRead
                    | ContactsWrite
                    | BookingsRead
                    | BookingsWrite
                    | SmsSend
                    | EmailSend
                    | ReportsRead
                    | SettingsRead
            ),
            Role::Marketing => matches!(
                permission,
                ContactsRead | CampaignsRead | CampaignsWrite | CampaignsSend | ReportsRead | SettingsRead
            ),
            Role::Readonly => matches!(permission, ContactsRead | BookingsRead | ReportsRead | SettingsRead),
        }
    }
}

/// One capability a role may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum Permission {
    ContactsRead,
    ContactsWrite,
    BookingsRead,
    BookingsWrite,
    SmsSend,
    /// Email a contact.
    EmailSend,
    CampaignsRead,
    CampaignsWrite,
    CampaignsSend,
    ReportsRead,
    AutomationsRead,
    AutomationsWrite,
    SettingsRead,
    SettingsWrite,
    UsersRead,
    UsersWrite,
    AuditRead,
    /// See, retry and discard background jobs.
    JobsManage,
}

impl Permission {
    pub const ALL: [Permission; 18] = [
        Permission::ContactsRead,
        Permission::ContactsWrite,
        Permission::BookingsRead,
        Permission::BookingsWrite,
        Permission::SmsSend,
        Permission::EmailSend,
        Permission::CampaignsRead,
        Permission::CampaignsWrite,
        Permission::CampaignsSend,
        Permission::ReportsRead,
        Permission::AutomationsRead,
        Permission::AutomationsWrite,
        Permission::SettingsRead,
        Permission::SettingsWrite,
        Permission::UsersRead,
        Permission::UsersWrite,
        Permission::AuditRead,
        Permission::JobsManage,
    ];

    /// The name used in API errors and docs, e.g. `contacts.read`.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ContactsRead => "contacts.read",
            Permission::ContactsWrite => "contacts.write",
            Permission::BookingsRead => "bookings.read",
            Permission::BookingsWrite => "bookings.write",
            Permission::SmsSend => "sms.send",
            Permission::EmailSend => "email.send",
            Permission::CampaignsRead => "campaigns.read",
            Permission::CampaignsWrite => "campaigns.write",
            Permission::CampaignsSend => "campaigns.send",
            Permission::ReportsRead => "reports.read",
            Permission::AutomationsRead => "automations.read",
            Permission::AutomationsWrite => "automations.write",
            Permission::SettingsRead => "settings.read",
            Permission::SettingsWrite => "settings.write",
            Permission::UsersRead => "users.read",
            Permission::UsersWrite => "users.write",
            Permission::AuditRead => "audit.read",
            Permission::JobsManage => "jobs.manage",
        }
    }

    /// What the permission lets a person do, for the sentence a refused person reads
    /// ("Your role can't edit contacts.").
    pub fn action(self) -> &'static str {
        match self {
            Permission::ContactsRead => "see contacts",
            Permission::ContactsWrite => "change contacts or their tasks",
            Permission::BookingsRead => "see bookings",
            Permission::BookingsWrite => "change bookings",
            Permission::SmsSend => "send text messages",
            Permission::EmailSend => "email contacts",
            Permission::CampaignsRead => "see campaigns",
            Permission::CampaignsWrite => "change campaigns",
            Permission::CampaignsSend => "send campaigns",
            Permission::ReportsRead => "see reports",
            Permission::AutomationsRead => "see automations",
            Permission::AutomationsWrite => "change automations",
            Permission::SettingsRead => "see clinic settings",
            Permission::SettingsWrite => "change clinic settings",
            Permission::UsersRead => "see staff accounts",
            Permission::UsersWrite => "manage staff accounts",
            Permission::AuditRead => "read the audit log",
            Permission::JobsManage => "manage background jobs",
        }
    }
}

/// The signed-in person as the UI sees them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

impl CurrentUser {
    pub fn can(&self, permission: Permission) -> bool {
        self.role.allows(permission)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_users_and_only_admins_and_managers_read_the_audit_log() {
        for role in Role::ALL {
            assert_eq!(role.allows(Permission::UsersWrite), role == Role::Admin, "{role:?}");
            assert_eq!(
                role.allows(Permission::AuditRead),
                matches!(role, Role::Admin | Role::Manager),
                "{role:?}"
            );
        }
    }

    #[test]
    fn read_only_can_read_but_never_write() {
        for permission in Permission::ALL {
            let is_write = permission.as_str().ends_with(".write") || permission.as_str().ends_with(".send");
            if is_write {
                assert!(!Role::Readonly.allows(permission), "{}", permission.as_str());
            }
        }
        assert!(Role::Readonly.allows(Permission::ContactsRead));
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("superuser"), None);
    }
}
