# Configurações de chamados do portal (src/tickets/settings.rs): visitantes, prioridade escolhida
# pelo cliente, limites de anexos.

ticket-settings-title = Chamados
ticket-settings-visitors-label = Visitantes podem abrir chamados
ticket-settings-visitors-help = true ou false: pessoas sem login podem abrir um chamado informando nome e e-mail
ticket-settings-visitors-note = Elas acompanham o chamado por um link privado enviado a esse endereço. Até abrirem o link, os agentes veem o chamado como não verificado.
ticket-settings-priority-label = Clientes escolhem a prioridade
ticket-settings-priority-help = true ou false: o formulário de novo chamado pergunta ao cliente a urgência (senão todo chamado começa como normal)
ticket-settings-file-mb-label = Maior anexo (MB)
ticket-settings-file-mb-help = o maior arquivo aceito, em megabytes, de 1 a 100 (padrão 10)
ticket-settings-message-mb-label = Anexos por mensagem (MB)
ticket-settings-message-mb-help = o total que os arquivos de uma mensagem podem somar, em megabytes, de 1 a 100 (padrão 25)
ticket-settings-mb-not-a-number = { $key } recebe um número de megabytes, não { $value }
ticket-settings-mb-out-of-range = { $key } deve ficar entre 1 e { $max } megabytes
ticket-settings-message-below-file = O limite por mensagem não pode ser menor que o limite por arquivo ({ $file } MB).
