# Os e-mails dos chamados (src/tickets/notify): para quem abriu o chamado e para os agentes.
# Cada um é escrito no idioma de quem o recebe; todo assunto começa com o número do chamado.

ticket-email-received-subject = [#{ $number }] Recebido: { $subject }
ticket-email-received-body = Recebemos sua solicitação e abrimos o chamado #{ $number }, “{ $subject }”. Vamos responder assim que possível.
ticket-email-your-message = Sua mensagem
ticket-email-follow = Ver seu chamado
ticket-email-answer-on-page = Para responder, abra seu chamado pelo link acima.

ticket-email-reply-subject = [#{ $number }] Nova resposta: { $subject }
ticket-email-reply-body = { $author } respondeu ao seu chamado #{ $number }, “{ $subject }”.

ticket-email-resolved-subject = [#{ $number }] Resolvido: { $subject }
ticket-email-resolved-body = Seu chamado #{ $number }, “{ $subject }”, foi marcado como resolvido. Se algo ainda não estiver certo, responda na página do chamado e ele será reaberto.

ticket-email-new-subject = [#{ $number }] Novo chamado: { $subject }
ticket-email-new-body = { $requester } abriu o chamado #{ $number } em { $department }: “{ $subject }”.
ticket-email-open = Abrir o chamado
ticket-email-preferences = Você pode escolher quais e-mails de chamados recebe no seu perfil.

ticket-email-assigned-subject = [#{ $number }] Atribuído a você: { $subject }
ticket-email-assigned-body = { $actor } atribuiu o chamado #{ $number }, “{ $subject }”, a você.
ticket-email-assigned-body-system = O chamado #{ $number }, “{ $subject }”, foi atribuído a você.

ticket-email-customer-reply-subject = [#{ $number }] O cliente respondeu: { $subject }
ticket-email-customer-reply-body = { $customer } respondeu no chamado #{ $number }, “{ $subject }”, que está atribuído a você.

# A seção do perfil.
ticket-email-prefs-heading = E-mails de chamados
ticket-email-prefs-help = Quais e-mails sobre chamados você recebe em { $portal }.
ticket-email-prefs-new-ticket = Um novo chamado em um dos meus departamentos
ticket-email-prefs-assigned = Um chamado é atribuído a mim
ticket-email-prefs-customer-reply = O cliente responde em um chamado atribuído a mim
ticket-email-prefs-save = Salvar escolhas de e-mail
