# Chamados de visitantes (src/tickets/visitors.rs): o formulário para quem não entrou, o e-mail
# com o link privado e a página do chamado por trás desse link.
ticket-visitors-link = Não tem conta? Abra um chamado sem entrar
ticket-visitors-title = Abrir um chamado
ticket-visitors-intro = Você não precisa de conta: enviaremos por e-mail um link privado para acompanhar seu chamado. Já tem conta?
ticket-visitors-sign-in-instead = Entre com ela.
ticket-visitors-field-name = Seu nome
ticket-visitors-field-email = Seu e-mail
ticket-visitors-email-help = O link para acompanhar o chamado é enviado para este endereço.
ticket-visitors-name-required = Informe seu nome.
ticket-visitors-email-invalid = Informe um único endereço de e-mail, como nome@exemplo.com.
ticket-visitors-wait = Vários chamados foram enviados daqui ou para este endereço há pouco. Você poderá enviar outro em { $wait }.
ticket-visitors-sent-title = Confira seu e-mail
ticket-visitors-sent-body = Recebemos seu chamado. Enviamos um link privado para o endereço informado: abra-o para confirmar o endereço, acompanhar as respostas e responder.
ticket-visitors-sent-missing = Se o e-mail não chegar em alguns minutos, procure na pasta de spam.
ticket-visitors-email-subject = Seu chamado nº { $number } em { $place }
ticket-visitors-email-received = Recebemos seu chamado nº { $number }: "{ $subject }".
ticket-visitors-email-how = Abra-o pelo link abaixo para ler as respostas, responder ou fechá-lo.
ticket-visitors-email-action = Abrir seu chamado
ticket-visitors-email-private = O link é privado: quem o tiver pode ler e responder este chamado, então não o compartilhe.
ticket-visitors-email-unexpected = Se você não abriu este chamado, pode ignorar este e-mail.
ticket-visitors-private-page = Esta página é só sua: não compartilhe o endereço dela.
ticket-visitors-link-wait = Muitos links errados foram abertos a partir da sua rede. Aguarde { $wait } e tente novamente.
