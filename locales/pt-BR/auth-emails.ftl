# Os e-mails da entrada (src/auth/emails.rs): convites, redefinições, avisos. Cada um é escrito
# no idioma de quem o recebe.

email-greeting = Olá, { $name }!
email-button-fallback = Se o botão não funcionar, copie este endereço no seu navegador:
email-link-once-unexpected = O link funciona uma vez e expira em { $lifetime }. Se você não esperava este e-mail, pode ignorá-lo.
email-set-password = Definir sua senha

email-invite-staff-subject = Defina sua senha de { $place }
email-invite-staff-role = Você agora é { $role } em { $place }.
email-invite-role-admin = administrador
email-invite-role-agent = agente
email-invite-staff-existing = Defina sua senha pelo link abaixo. A senha que você definir é a que você usa em todos os lugares onde trabalha no Frontdesk; até defini-la, sua senha atual continua valendo.
email-invite-staff-new = Escolha sua senha pelo link abaixo; depois entre na interface de gestão com seu e-mail e essa senha.

email-invite-customer-subject = Sua conta em { $place }
email-invite-customer-body = Uma conta foi criada para você em { $place }. Escolha sua senha pelo link abaixo para entrar e acompanhar seus chamados.

email-reset-subject = Redefina sua senha de { $place }
email-reset-body = Alguém, provavelmente você, pediu para redefinir a senha da sua conta em { $place }. Escolha uma nova senha pelo link abaixo.
email-reset-action = Escolher uma nova senha
email-reset-after = O link funciona uma vez e expira em { $lifetime }. Se você não pediu, ignore este e-mail: sua senha continua a mesma.

email-changed-subject = Sua senha de { $place } foi alterada
email-changed-body = A senha da sua conta { $email } em { $place } acaba de ser alterada.
email-changed-others = Todas as outras sessões da sua conta foram encerradas.
email-changed-links = Os links enviados antes para definir ou redefinir sua senha não funcionam mais.
email-changed-action = Entrar
email-changed-after = Se não foi você quem a alterou, fale imediatamente com seu administrador.

email-self-managed-subject = Sobre sua senha de { $place }
email-self-managed-asked = Alguém, provavelmente você, pediu para redefinir a senha da sua conta em { $place }.
email-self-managed-body = { self-managed } Você entra com sua conta Microsoft, então não há senha do Frontdesk para redefinir.
email-self-managed-action = Entrar com a conta Microsoft
email-self-managed-after = Se você não pediu isso, pode ignorar este e-mail.

email-approval-subject = { $who } aguarda aprovação em { $place }
email-approval-body = { $who } ({ $email }) entrou em { $place } com a conta Microsoft pela primeira vez. Uma conta de agente sem permissões foi criada; a pessoa não pode entrar até que um administrador a aprove.
email-approval-open = Abra a conta para aprová-la, dar permissões e departamentos ou desativá-la.
email-approval-action = Revisar a conta

email-portal-invite-subject = { $inviter } convida você para trabalhar em { $place }
email-portal-invite-body = { $inviter } convida você para trabalhar em { $place } como { $role }, com a conta do Frontdesk que você já tem.
email-portal-invite-how = Entre como de costume e aceite ou recuse o convite. Nada muda até você aceitar.
email-portal-invite-action = Ver o convite
email-portal-invite-after = Se você não sabe por que recebeu isto, recuse o convite ou ignore este e-mail.

email-code-subject = Seu código de entrada em { $portal }
email-code-intro = Seu código para entrar em { $portal } é:
email-code-after = Ele expira em { $minutes } minutos e funciona uma vez, no navegador em que você o pediu. Se você não pediu, ignore este e-mail; ninguém consegue entrar sem ele.
