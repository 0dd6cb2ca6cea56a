# Entrar e sair, senhas, perfis, sessões e seus e-mails: src/auth/.

notice-session-ended = Essa sessão foi encerrada.
notice-password-changed = Sua senha foi alterada.
notice-must-change = Escolha uma nova senha antes de continuar.

# Equipe cujo acesso é gerenciado pelo diretório da organização (Microsoft Entra ID).
self-managed = Este usuário pertence a um grupo autogerenciado. Entre em contato com Administrador da conta.
signin-self-managed = { self-managed } Entre com a conta Microsoft.

# Esperas, como as mensagens de limite de tentativas as dizem.
wait-minutes = { $count } minutos
wait-seconds = { $count } segundos
wait-a-second = um segundo

# Recusas ao entrar.
signin-wrong-credentials = O e-mail ou a senha estão incorretos.
signin-throttled = Muitas tentativas de entrada sem sucesso. Aguarde { $wait } e tente novamente, entre por um navegador que você já usou aqui ou redefina sua senha por e-mail.
signin-busy = O servidor está muito ocupado com entradas no momento. Tente novamente em um minuto.
signin-no-portal = Sua conta ainda não trabalha em nenhum portal. Peça a um administrador que adicione você a um.
signin-permission-needed = Você precisa da permissão "{ $permission }" em { $portal } para fazer isso.
signin-customer-disabled = Esta conta está desativada. Entre em contato com a central de atendimento.

# Avisos das páginas de entrada.
signin-notice-signed-out = Você saiu.
signin-notice-signed-out-here = Você saiu do Frontdesk. Não foi possível contatar a Microsoft para encerrar sua sessão lá também: feche o navegador para encerrá-la.
signin-notice-password-set = Sua senha foi definida. Entre com ela.
signin-notice-use-code = Este portal faz a entrada com um código de uso único em vez de senha.

# A página de entrada comum (/login) e os botões que todos os formulários de entrada usam.
login-title = Entrar
login-no-portal = Nenhum portal está aberto para entrada aqui. Use o endereço que sua central de atendimento informou.
login-portal = Portal
login-choose-portal = Escolha um portal da lista.
login-code-portals = Portais que fazem a entrada com um código de uso único levam você à página própria deles.
login-submit = Entrar
login-forgot = Esqueceu sua senha?
login-staff = Equipe
login-staff-before = Administradores e agentes entram pela
login-staff-link = interface de gestão
login-staff-after = {"."}

# A página de entrada de um portal.
portal-login-heading = Entrar em { $portal }
portal-login-no-passwords = { $portal } não usa senhas: entre com um código na página de entrada do portal.
portal-login-or-code = Ou entre com um código
portal-login-identity = E-mail ou número de celular
portal-login-code-by-email = Enviamos um código de 6 dígitos por e-mail.
portal-login-code-by-sms = Enviamos um código de 6 dígitos por SMS.
portal-login-code-by-both = Enviamos um código de 6 dígitos por e-mail e por SMS.
portal-login-get-code = Receber código
portal-login-staff = Equipe:
portal-login-management = interface de gestão

# Códigos de entrada.
code-title = Digite seu código
code-label = Código de 6 dígitos
code-new = Pedir um novo código
code-refused = Esse código não está correto, expirou ou já foi usado. Confira a mensagem mais recente ou peça um novo código.
code-not-offered = { $portal } não oferece códigos de entrada. Entre com sua senha.
code-identity-invalid = Digite seu e-mail ou seu número de celular. { $reason }
code-by-email = por e-mail
code-by-sms = por SMS
code-by-both = por e-mail e por SMS
code-sent = Se { $identity } tiver uma conta aqui, enviamos um código de 6 dígitos { $channels }. Ele expira em { $minutes } minutos.
code-wait-request = Um código foi enviado há pouco. Você poderá pedir outro em { $wait }.
code-wait-verify = Muitos códigos errados vindos da sua rede. Aguarde { $wait } e tente novamente.
code-sms = { $code } é o seu código para entrar em { $portal }. Ele expira em { $minutes } minutos. Não o compartilhe.

# A página de entrada da gestão.
manage-login-title = Entrada da gestão
manage-login-heading = Interface de gestão
manage-login-staff-for = Entrada da equipe de
manage-login-intro-before = Para administradores e agentes. Clientes entram pelo
manage-login-intro-link = portal
manage-login-intro-after = {"."}
manage-login-microsoft = Entrar com a conta Microsoft
manage-login-password-instead = Entrar com uma senha do Frontdesk
manage-login-or = ou
manage-login-organisation = Sua organização

# "Esqueceu sua senha?"
forgot-title = Esqueceu sua senha?
forgot-heading-portal = Esqueceu sua senha de { $portal }?
forgot-intro = Informe o e-mail da sua conta e enviaremos um link para você escolher uma nova senha.
forgot-send = Enviar o link
forgot-back = Voltar para a entrada
forgot-sent = Se { $email } tiver uma conta aqui, enviamos para ele um link para escolher uma nova senha. O link expira em 1 hora. Não chegou nada? Confira a pasta de spam ou fale com seu administrador.
forgot-wait = Muitas solicitações vindas da sua rede. Aguarde { $wait } e tente novamente.
forgot-self-managed-help = Você entra aqui com a conta Microsoft da sua organização; a senha dela é gerenciada pelo administrador dessa conta.
forgot-frontdesk-password = Você entra com uma senha do Frontdesk?
forgot-frontdesk-password-link = Redefinir essa senha
forgot-frontdesk-password-after = {"."}

# Páginas dos links de uso único.
link-lifetime = { $hours ->
    [one] { $hours } hora
   *[other] { $hours } horas
}
link-used = Este link já foi usado, ou a senha foi alterada depois que ele foi enviado. Se ainda precisar definir sua senha, peça um novo link em { $url }.
link-expired = Este link expirou. Peça um novo em { $url } ou peça ao seu administrador que envie o convite novamente.
link-invalid = Este link não é válido. Confira se você abriu o link completo do e-mail ou peça um novo.
set-password-invite = Defina sua senha
set-password-reset = Escolha uma nova senha
set-password-new = Nova senha
set-password-again = Repita a nova senha
set-password-save = Salvar senha
set-password-mismatch = As duas senhas não são iguais.

# A política de senhas: as regras ao lado do campo de senha e o que falta a uma senha.
password-rule-length = A nova senha deve conter no mínimo { $min } dígitos (no máximo { $max })
# As regras de senha da própria central: os quatro tipos de caractere numa só linha.
password-rule-composition = Deve conter uma letra maiúscula, uma minúscula, um carácter especial e um número
password-rule-upper = {""}
password-rule-lower = {""}
password-rule-digit = {""}
password-rule-special = {""}
password-rule-forbidden = Não podem ser utilizados os caracteres especiais “&” e “#”
password-rule-common = Não pode ser uma das senhas mais comuns
password-unmet-short = A nova senha deve conter no mínimo { $min } dígitos (ela tem { $length }).
password-unmet-long = A nova senha deve conter no máximo { $max } dígitos.
password-unmet-upper = Deve conter uma letra maiúscula.
password-unmet-lower = Deve conter uma letra minúscula.
password-unmet-digit = Deve conter um número.
password-unmet-special = Deve conter um carácter especial, como ! ? * @ $ % ou -.
password-unmet-forbidden = Não podem ser utilizados os caracteres especiais “&” e “#”.
password-unmet-common = É uma das senhas mais comuns; escolha outra.

# Perfis.
profile-title = Perfil
profile-heading = Seu perfil
profile-details = Seus dados
profile-name = Nome
profile-name-help = Mostrado aos seus colegas e clientes em todos os portais em que você trabalha.
profile-mobile = Número de celular (para códigos de entrada por SMS)
profile-save = Salvar
profile-saved = Salvo.
profile-must-change = Sua senha foi definida por outra pessoa. Escolha a sua antes de continuar.
profile-password = Senha
profile-microsoft = Você entra com a conta Microsoft.
profile-password-self-managed = { self-managed } Você entra com a conta Microsoft, então não há senha do Frontdesk para alterar.
profile-staff-details = Os dados da equipe são alterados na interface de gestão.
profile-mobile-refused = Este número de celular não pode ser usado na sua conta. Confira-o ou fale conosco se ele for seu.
profile-mobile-wait = Você tentou números de celular demais. Tente novamente em { $wait }.
profile-current-wrong = Sua senha atual não está correta.
profile-new-mismatch = As duas novas senhas não são iguais.
profile-new-same = A nova senha deve ser diferente da atual.
profile-language = Idioma
profile-language-automatic = Automático
profile-language-help = Automático: o idioma do portal ou, se não houver, o do seu navegador.
profile-language-invalid = Escolha um idioma da lista.

# O formulário de senha dos dois perfis.
password-form-heading = Alterar sua senha
password-form-current = Senha atual
password-form-new = Nova senha
password-form-again = Repita a nova senha
password-form-sign-out-others = Encerrar minhas outras sessões
password-form-submit = Alterar senha

# "Onde você está conectado".
sessions-heading = Onde você está conectado
sessions-where = Onde
sessions-browser = Navegador
sessions-address = Endereço
sessions-started = Entrou em
sessions-last-active = Última atividade
sessions-this = esta sessão
sessions-sign-out = Sair
sessions-end = Encerrar
sessions-manage-microsoft = Interface de gestão, com a conta Microsoft
sessions-manage = Interface de gestão
sessions-portal = Portal
sessions-unknown-browser = Navegador desconhecido
