//! What a staff member may do in a portal. Administrators of a portal may do everything there;
//! agents may do what they have been granted.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    ManagePortalSettings,
    ManageAgents,
    ManageDepartments,
    AnswerTickets,
    /// See (and, with `AnswerTickets`, answer) the tickets of every department, not only one's own.
    SeeAllDepartments,
    AnswerChats,
    /// See every chat in progress in one's departments, with its wait and duration, and read along.
    SuperviseChats,
    EditKnowledgeBase,
}

impl Permission {
    pub const ALL: [Permission; 8] = [
        Permission::ManagePortalSettings,
        Permission::ManageAgents,
        Permission::ManageDepartments,
        Permission::AnswerTickets,
        Permission::SeeAllDepartments,
        Permission::AnswerChats,
        Permission::SuperviseChats,
        Permission::EditKnowledgeBase,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Permission::ManagePortalSettings => "manage_portal_settings",
            Permission::ManageAgents => "manage_agents",
            Permission::ManageDepartments => "manage_departments",
            Permission::AnswerTickets => "answer_tickets",
            Permission::SeeAllDepartments => "see_all_departments",
            Permission::AnswerChats => "answer_chats",
            Permission::SuperviseChats => "supervise_chats",
            Permission::EditKnowledgeBase => "edit_kb",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Permission::ManagePortalSettings => "Manage portal settings",
            Permission::ManageAgents => "Manage agents and customers",
            Permission::ManageDepartments => "Manage departments",
            Permission::AnswerTickets => "Answer tickets",
            Permission::SeeAllDepartments => "See the tickets of every department",
            Permission::AnswerChats => "Answer chats",
            Permission::SuperviseChats => "Supervise chats",
            Permission::EditKnowledgeBase => "Edit the knowledge base",
        }
    }

    /// The catalog key of `label` (src/admin's catalog), for what people read.
    pub fn label_key(self) -> &'static str {
        match self {
            Permission::ManagePortalSettings => "permission-manage-portal-settings",
            Permission::ManageAgents => "permission-manage-agents",
            Permission::ManageDepartments => "permission-manage-departments",
            Permission::AnswerTickets => "permission-answer-tickets",
            Permission::SeeAllDepartments => "permission-see-all-departments",
            Permission::AnswerChats => "permission-answer-chats",
            Permission::SuperviseChats => "permission-supervise-chats",
            Permission::EditKnowledgeBase => "permission-edit-knowledge-base",
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
    /// The catalog key of `label`, for what people read.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Admin => "role-admin",
            Role::Agent => "role-agent",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn labels_read_the_same_in_english_and_exist_in_every_language() {
        let labels = Permission::ALL.into_iter().map(|p| (p.label_key(), p.label()));
        let roles = [Role::Admin, Role::Agent].into_iter().map(|r| (r.label_key(), r.label()));
        for (key, english) in labels.chain(roles) {
            assert_eq!(Lang::En.t(key), english);
            assert_ne!(Lang::PtBr.t(key), english, "{key} is not translated");
        }
    }
}
