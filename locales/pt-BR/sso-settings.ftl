# Entrada da equipe com o Microsoft Entra ID: as configurações entra_* do portal.

sso-settings-title = Entrada da equipe com o Microsoft Entra ID
sso-settings-intro = Permita que a equipe deste portal entre com a conta Microsoft da sua organização. Registre um aplicativo no centro de administração do Entra (Registros de aplicativo → Novo registro, tipo Web) com o URI de redirecionamento abaixo, crie um segredo do cliente para ele e informe os IDs aqui.
sso-settings-redirect-uri = URI de redirecionamento (registre-o no aplicativo)
sso-settings-signed-out-uri = URI de redirecionamento ao sair (adicione-o também aos URIs de redirecionamento do aplicativo)
sso-settings-staff-link = Link de entrada para a sua equipe
sso-settings-tenant-label = ID do diretório (locatário)
sso-settings-tenant-help = o ID do diretório (locatário), um GUID do centro de administração do Entra
sso-settings-client-label = ID do aplicativo (cliente)
sso-settings-client-help = o ID do aplicativo (cliente) do registro do aplicativo, um GUID
sso-settings-secret-label = Segredo do cliente
sso-settings-secret-help = o segredo do cliente do aplicativo (informe - para lê-lo da entrada padrão); exige FRONTDESK_SECRET_KEY
sso-settings-authority-label = Host de autoridade
sso-settings-authority-help = https://login.microsoftonline.com, ou o host de entrada de uma nuvem nacional
sso-settings-authority-note = Altere-o somente para uma nuvem nacional, como https://login.microsoftonline.us.
sso-settings-link-rule-label = Quando uma pessoa entra com a Microsoft pela primeira vez
sso-settings-link-rule-help = match_username (vincular à conta da equipe cujo e-mail é o nome de usuário da pessoa) ou create_pending (criar um agente aguardando aprovação)
sso-settings-link-rule-match-username = Usar a conta da equipe cujo e-mail é o nome de usuário Microsoft da pessoa; recusar as demais
sso-settings-link-rule-create-pending = Criar um novo agente sem permissões, aguardando aprovação
sso-settings-enabled-label = A equipe entra com a Microsoft
sso-settings-enabled-help = true/false: a equipe deste portal entra com o Microsoft Entra ID
sso-settings-enabled-note = Enquanto isto estiver ativo, as contas vinculadas à Microsoft não têm senha do Frontdesk: a entrada, a senha e a remoção delas são gerenciadas no seu diretório.

sso-settings-tenant-not-guid = O ID do diretório (locatário) é um GUID como 72f988bf-86f1-41af-91ab-2d7cd011db47 (veja na página Visão geral do aplicativo, no centro de administração do Entra), não { $value }.
sso-settings-client-not-guid = O ID do aplicativo (cliente) é um GUID como 72f988bf-86f1-41af-91ab-2d7cd011db47 (veja na página Visão geral do aplicativo, no centro de administração do Entra), não { $value }.
sso-settings-no-secret-key = O Frontdesk não pode armazenar segredos porque FRONTDESK_SECRET_KEY não está definida. Defina-a com uma sequência aleatória de 32 ou mais caracteres (por exemplo, a saída de `openssl rand -base64 48`), igual em todos os nós, e reinicie o servidor.
sso-settings-secret-undecryptable = O segredo armazenado não pode ser decifrado com a FRONTDESK_SECRET_KEY deste servidor (a chave foi trocada?); informe o segredo novamente.
sso-settings-secret-invalid = Isso não parece um segredo do cliente (até 1024 caracteres em uma linha).
sso-settings-authority-not-allowed = O host de autoridade deve ser um dos hosts de entrada que este servidor permite: { $hosts } (o operador os define com FRONTDESK_ENTRA_AUTHORITY_HOSTS), não { $value }.
sso-settings-link-rule-invalid = A regra da primeira entrada deve ser match_username ou create_pending, não { $value }.
sso-settings-not-ready = A entrada com a Microsoft ainda não pode ser ativada: informe primeiro { $missing }.
sso-settings-missing-tenant = o ID do diretório (locatário)
sso-settings-missing-client = o ID do aplicativo (cliente)
sso-settings-missing-secret = o segredo do cliente
