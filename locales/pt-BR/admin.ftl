# Gestão: menu, avisos e páginas de src/admin/.

menu-home = Início
menu-agents = Agentes
menu-customers = Clientes
menu-departments = Departamentos
menu-portal-settings = Configurações do portal
menu-portals = Portais

notice-saved = Salvo.
notice-created = Criado.
notice-deleted = Excluído.
notice-disabled = A conta foi desativada e suas sessões foram encerradas.
notice-enabled = A conta foi reativada.
notice-sessions-ended = Sessões encerradas.
notice-switched = Agora você está trabalhando neste portal.
notice-invited = Um convite para definir a senha foi enviado.
notice-added-microsoft = Adicionado. Essa pessoa entra com a Microsoft, então nenhum convite foi enviado.
notice-asked = Essa pessoa já tem uma conta no Frontdesk: o convite foi enviado por e-mail, e ela entra no portal quando aceitar.
notice-removed = Removido deste portal. A conta e os outros portais da pessoa não mudaram.
notice-withdrawn = O convite foi retirado.
notice-accepted = Agora você também trabalha naquele portal: troque para ele no menu de portais.
notice-declined = O convite foi recusado.
notice-approved = A conta foi aprovada: a pessoa já pode entrar com a Microsoft.
notice-unlinked = A conta Microsoft foi desvinculada. Envie um link para definir a senha, ou deixe a pessoa entrar com a Microsoft de novo.
