//! What a staff member may do in a portal. Administrators of a portal may do everything there;
//! agents may do what they have been granted.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    ManagePortalSettings,
    ManageAgents,
    ManageDepartments,
    AnswerTickets,
    AnswerChats,
    EditKnowledgeBase,
}

impl Permission {
    pub const ALL: [Permission; 6] = [
        Permission::ManagePortalSettings,
        Permission::ManageAgents,
        Permission::ManageDepartments,
        Permission::AnswerTickets,
        Permission::AnswerChats,
        Permission::EditKnowledgeBase,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Permission::ManagePortalSettings => "manage_portal_settings",
            Permission::ManageAgents => "manage_agents",
            Permission::ManageDepartments => "manage_departments",
            Permission::AnswerTickets => "answer_tickets",
            Permission::AnswerChats => "answer_chats",
            Permission::EditKnowledgeBase => "edit_kb",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Permission::ManagePortalSettings => "Manage portal settings",
            Permission::ManageAgents => "Manage agents and customers",
            Permission::ManageDepartments => "Manage departments",
            Permission::AnswerTickets => "Answer tickets",
            Permission::AnswerChats => "Answer chats",
            Permission::EditKnowledgeBase => "Edit the knowledge base",
        }
    }

    pub fn parse(key: &str) -> Option<Permission> {
        Permission::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// The role a staff member has in one portal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Agent => "agent",
        }
    }
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "agent" => Some(Role::Agent),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Agent => "Agent",
        }
    }
}
