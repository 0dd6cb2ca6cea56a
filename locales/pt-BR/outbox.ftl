# A página da caixa de saída: src/outbox/.

menu-outbox = Caixa de saída
notice-requeued = A mensagem voltou para a fila e será enviada em instantes.

outbox-title = Caixa de saída
outbox-mail-not-delivered = Os e-mails não estão sendo entregues: nenhum servidor SMTP está configurado (defina FRONTDESK_SMTP_HOST e reinicie). As mensagens aguardam na caixa de saída e serão enviadas assim que houver um.
outbox-delivery = Os e-mails são entregues pelo servidor SMTP configurado. As mensagens que ainda não puderam ser enviadas são tentadas de novo com intervalos cada vez maiores.
outbox-bodies-erased = O texto de uma mensagem é apagado depois do envio, porque pode conter um link de acesso; a lista guarda o destinatário, o assunto e a data.
outbox-none = Nenhuma mensagem ainda.
outbox-queued = Na fila desde
outbox-to = Para
outbox-subject = Assunto
outbox-status = Situação
outbox-attempts = Tentativas
outbox-last-error = Último erro
outbox-sent = enviada
outbox-failed = falhou
outbox-waiting = aguardando
outbox-retry = Tentar de novo
outbox-sms-to = SMS para { $to }
outbox-sms-not-sent = Os SMS não estão sendo enviados: nenhum gateway de SMS está configurado (defina FRONTDESK_SMS_URL e reinicie). Os portais não podem oferecer códigos de acesso por SMS até que haja um.
