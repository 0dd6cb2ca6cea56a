# Login com o Microsoft Entra ID de um portal: as páginas que encerram um login (src/sso/).

sso-try-again = Tentar de novo com a Microsoft
sso-back-to-sign-in = Voltar para o login
sso-too-many = Muitos logins foram iniciados a partir da sua rede. Aguarde alguns minutos e tente de novo.

sso-unreachable-title = O login da Microsoft está inacessível
sso-unreachable = Não conseguimos acessar o login da Microsoft de { $portal } agora. Tente de novo em alguns minutos; se continuar falhando, avise o seu administrador.
sso-refused-title = A Microsoft recusou o login
sso-refused = A Microsoft não aceitou este login (ele pode ter expirado ou já ter sido usado). Tente de novo; se continuar acontecendo, avise o seu administrador: as configurações do Entra ID do portal podem precisar de ajustes.
sso-not-verified-title = Não foi possível verificar o login
sso-not-verified = A resposta da Microsoft não passou nas nossas verificações, então você não entrou. Tente de novo; se continuar acontecendo, avise o seu administrador.
sso-off-title = O login com a Microsoft está desativado
sso-off = { $portal } não usa o login com a Microsoft. Entre com seu e-mail e senha.
sso-misconfigured-title = O login com a Microsoft está mal configurado
sso-host-not-allowed = O endereço de login da Microsoft deste portal não é um dos permitidos por este servidor. Avise o seu administrador: é preciso escolher um endereço permitido nas configurações do portal.
sso-secret-unreadable = Este servidor não consegue ler o segredo do cliente do portal. Avise o seu administrador: é preciso informá-lo de novo nas configurações do portal (e verificar FRONTDESK_SECRET_KEY).
sso-incomplete-title = Login incompleto
sso-no-state = Esta resposta da Microsoft não diz a qual login pertence. Comece de novo pela página de login.
sso-no-code = A resposta da Microsoft não tem código de autorização. Comece de novo.
sso-other-browser-title = Login iniciado em outro lugar
sso-other-browser = Este login foi iniciado em outro navegador (ou os cookies deste navegador foram apagados). Comece de novo aqui.
sso-awaiting-approval-title = Aguardando aprovação
sso-awaiting-approval = Sua conta em { $portal } está aguardando a aprovação de um administrador, que já foi avisado. Entre com a Microsoft de novo quando ela for aprovada.
sso-used-title = Login já utilizado
sso-used = Este login já foi concluído uma vez e não pode ser usado de novo. Se você não entrou, comece de novo.
sso-expired-title = Login expirado
sso-expired = Este login levou mais de { $minutes } minutos e expirou. Comece de novo.
sso-unknown-title = Login desconhecido
sso-unknown = Esta resposta não pertence a nenhum login que iniciamos. Comece de novo.
sso-cancelled-title = Login cancelado
sso-cancelled = O login foi cancelado na Microsoft, então você não entrou. Nada foi alterado.
sso-provider-error-title = A Microsoft não fez o seu login
sso-provider-error = A Microsoft encerrou o login com o erro “{ $error }”. Tente de novo; se continuar acontecendo, avise o seu administrador.

# Por que um usuário do diretório não entra (src/sso/accounts.rs).
sso-use-password-title = Entre com a sua senha
sso-use-password = Sua conta também trabalha em { $portal }, que não faz o login da equipe com este diretório Microsoft. Entre com seu e-mail e senha.
sso-system-administrator-title = Administrador do sistema
sso-system-administrator = Os administradores do sistema do Frontdesk entram com e-mail e senha, não com o diretório Microsoft de um portal.
sso-no-account-title = Conta inexistente
sso-no-account = Sua conta do Frontdesk não existe mais.
sso-disabled-title = Conta desativada
sso-disabled = Esta conta está desativada. Fale com o seu administrador.
sso-not-staff-title = Você não faz parte da equipe deste portal
sso-not-staff = Sua conta não trabalha (mais) em { $portal }. Peça a um dos administradores para adicionar você.
sso-no-match-title = Nenhuma conta correspondente
sso-no-match = Não há conta de equipe para { $name } em { $portal }. Peça a um dos administradores para adicionar você com este endereço e depois entre com a Microsoft de novo.
sso-no-username-title = Sem nome de usuário
sso-no-username = A Microsoft não informou o seu nome de usuário, então não foi possível encontrar a sua conta. Fale com o seu administrador.
sso-already-linked-title = Já vinculada
sso-already-linked = A conta de equipe { $email } já está vinculada a outra conta Microsoft. Fale com um administrador de { $portal }.
sso-busy-title = Tente de novo
sso-busy = Sua conta estava sendo configurada no mesmo momento. Entre de novo.
sso-no-email-title = Sem endereço de e-mail
sso-no-email = A Microsoft não informou um e-mail nem um nome de usuário que seja um e-mail, então nenhuma conta pode ser criada. Fale com o seu administrador.
sso-not-linked-title = Conta não vinculada
sso-not-linked = Já existe uma conta de equipe com o endereço { $email }, mas ela não está vinculada à sua conta Microsoft. Peça a um administrador de { $portal } para vinculá-la.
