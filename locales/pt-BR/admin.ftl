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

# Palavras comuns às páginas de gestão.
manage-name = Nome
manage-email = E-mail
manage-role = Função
manage-status = Situação
manage-save = Salvar
manage-add-and-invite = Adicionar e enviar convite
manage-send-invitation-again = Enviar o convite de novo
manage-send-password-link = Enviar um link para definir a senha
manage-end-all-sessions = Encerrar todas as sessões
manage-enable-account = Reativar conta
manage-disable-account = Desativar conta
manage-account = Conta
status-disabled = desativada
status-awaiting-approval = aguardando aprovação
status-invited = convidado
status-must-set-password = precisa definir a senha
status-active = ativa
status-microsoft = entra com a Microsoft
status-invited-no-password = convidado: senha ainda não definida

# Funções e permissões (src/accounts/permissions.rs).
role-admin = Administrador
role-agent = Agente
role-admin-everything = Administrador (pode fazer tudo neste portal)
permission-manage-portal-settings = Gerenciar as configurações do portal
permission-manage-agents = Gerenciar agentes e clientes
permission-manage-departments = Gerenciar departamentos
permission-answer-tickets = Responder chamados
permission-see-all-departments = Ver os chamados de todos os departamentos
permission-answer-chats = Responder chats
permission-supervise-chats = Supervisionar chats
permission-edit-knowledge-base = Editar a base de conhecimento

# A página inicial.
home-title = Início
home-open-portal = Abrir o portal
home-awaiting-approval = { $count ->
        [one] { $count } pessoa aguarda
       *[other] { $count } pessoas aguardam
    } sua aprovação depois de entrar com a Microsoft.
home-invitations = Você foi convidado para trabalhar em mais { $count ->
        [one] { $count } portal
       *[other] { $count } portais
    }.
home-see-invitations = Ver convites
home-staff = Equipe
home-customers = Clientes
home-departments = Departamentos
home-you-are = Você é
home-in-this-portal = neste portal.
home-you-may = Você pode:
home-no-permissions = Você ainda não tem permissões aqui. Peça a um administrador.
home-not-your-portal = Você não trabalha nesse portal.

# Agentes.
agents-title = Agentes
agents-add = Adicionar agente
agents-heading = Agentes e administradores
agents-asked-heading = Convidados a participar
agents-withdraw = Retirar convite
agents-add-heading = Adicionar um agente ou administrador
agents-invite-help = A pessoa recebe um e-mail com um link para definir a senha (válido por { $hours ->
        [one] { $hours } hora
       *[other] { $hours } horas
    }). Quem já tem uma conta no Frontdesk recebe um convite por e-mail e entra no portal quando aceitar.
agents-choose-role = Escolha uma função: agente ou administrador.
agents-already-here = { $email } já trabalha neste portal.
agents-email-taken = { $email } já tem uma conta de equipe.
agents-has-no-password = { $name } entra com a Microsoft e não tem senha no Frontdesk. Desvincule a conta Microsoft antes, se essa pessoa deve ter uma senha.
agents-keep-own-admin-role = Você não pode tirar de si mesmo a função de administrador; peça a outro administrador.
agents-unknown-permission = Permissão desconhecida: { $key }.
agents-unknown-department = Um departamento não foi reconhecido.
agents-cannot-remove-self = Você não pode remover a si mesmo; peça a outro administrador.
agents-holds-more = { $name } tem a permissão “{ $permission }”, que você mesmo não tem. Peça a um administrador.
agents-last-administrator = { $name } é o último administrador de { $portal }; torne outra pessoa administradora antes.

# Um agente.
agent-approval = { $name } entrou com a Microsoft pela primeira vez e ainda não tem permissões. Aprove a conta para que essa pessoa possa entrar; dê a ela permissões e departamentos abaixo.
agent-approve = Aprovar
agent-role-in = Função em { $portal }
agent-permissions = Permissões
agent-departments = Departamentos
agent-no-departments = Este portal ainda não tem departamentos.
agent-remove-from = Remover de { $portal }
agent-microsoft-account = Conta Microsoft:
agent-unlink-microsoft = Desvincular a conta Microsoft

# Quem pode fazer o quê com quem (src/admin/authority.rs).
authority-also-works-elsewhere = { $name } também trabalha em { $portal }, onde você não é administrador; peça a um administrador do sistema.
authority-system-administrator = { $name } é administrador do sistema. Só um administrador do sistema pode alterar essa conta.
authority-permission-not-held = Você não pode dar nem tirar a permissão “{ $permission }”, pois você mesmo não a tem. Peça a um administrador.
authority-only-administrators = Só os administradores deste portal podem criar ou alterar administradores.
authority-cannot-disable-self = Você não pode desativar a sua própria conta.
authority-last-system-administrator = { $name } é o último administrador do sistema ativo e não pode ser desativado.

# Convites para outros portais.
invitations-title = Convites
invitations-heading = Convites para outros portais
invitations-none = Ninguém convidou você para outro portal.
invitations-invited-to = Você foi convidado para trabalhar em
invitations-as-admin = como administrador. Os administradores desse portal verão então o seu nome e e-mail, e poderão encerrar suas sessões lá.
invitations-as-agent = como agente. Os administradores desse portal verão então o seu nome e e-mail, e poderão encerrar suas sessões lá.
invitations-accept = Aceitar
invitations-decline = Recusar
invitations-outside-directory = { $portal } não faz o login da equipe com o diretório Microsoft pelo qual você entrou, então esta sessão não pode aceitar por você. Peça a um administrador do sistema para adicionar sua conta lá.
# A função no e-mail de convite: "… convida você para trabalhar em … como { $role }".
invitation-email-role-admin = administrador
invitation-email-role-agent = agente

# Clientes.
customers-title = Clientes
customers-add = Adicionar cliente
customers-heading = Clientes
customers-search-placeholder = Buscar por e-mail ou nome
customers-search-label = Buscar clientes
customers-search = Buscar
customers-search-too-long = Busque por no máximo { $max } caracteres.
customers-none = Nenhum cliente.
customers-none-match = Nenhum cliente corresponde a “{ $search }”.
customers-add-heading = Adicionar um cliente
customers-mobile-optional = Celular (opcional, com o código do país)
customers-invite-help = O cliente recebe um e-mail com um link para definir a senha (válido por { $hours ->
        [one] { $hours } hora
       *[other] { $hours } horas
    }).
customers-email-taken = Este portal já tem um cliente com o e-mail { $email }.
customers-mobile-taken = Outro cliente deste portal já usa o celular { $mobile }.
customer-details = Dados
customer-mobile = Celular (para códigos de acesso por SMS)
customer-all = Todos os clientes

# Departamentos.
departments-title = Departamentos
departments-none = Nenhum departamento ainda.
departments-members = Membros
departments-delete = Excluir
departments-add-heading = Adicionar um departamento
departments-add = Adicionar departamento
departments-exists = Já existe um departamento chamado { $name }.

# Todos os portais (administradores do sistema).
portals-title = Portais
portals-slug = Slug
portals-own-host = Domínio próprio
portals-sign-in-page = Página de login
portals-add-heading = Adicionar um portal
portals-slug-label = Slug (no endereço do portal)
portals-add = Adicionar portal
portals-only-system-administrators = Só administradores do sistema gerenciam a lista de portais.
portals-slug-taken = já existe um portal com o slug { $slug }
departments-delete-has-tickets = Ainda há chamados neste departamento. Mova-os para outro departamento primeiro e depois exclua-o.
