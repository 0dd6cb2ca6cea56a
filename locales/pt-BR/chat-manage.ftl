# O lado dos agentes no chat (src/chat/console.rs, supervise.rs, viewers.rs).

## Quem mais está num ticket (viewers.rs)
chat-viewers-heading = Também neste ticket
chat-viewers-viewing = está olhando
chat-viewers-writing = está escrevendo uma resposta

## Os chats do agente (console.rs, console_chat.rs, console_actions.rs, console_ticket.rs)
chat-console-menu = Chats
chat-console-title = Chats
chat-console-offers = Oferecidos a você
chat-console-offers-none = Nenhum chat aguarda que você o aceite.
chat-console-active = Seus chats
chat-console-active-none = Você não está atendendo nenhum chat.
chat-console-queue = Aguardando nos seus departamentos
chat-console-queue-none = Ninguém está aguardando.
chat-console-queue-help = Os chats em espera são oferecidos por vez aos agentes disponíveis; fique disponível para chats para recebê-los.
chat-console-accept = Aceitar
chat-console-decline = Recusar
chat-console-back = Todos os chats
chat-console-department = Departamento: { $name }
chat-console-became-ticket = Virou o ticket #{ $number }
chat-console-typing = O cliente está digitando…
chat-console-message = Mensagem
chat-console-send = Enviar
chat-console-transfer-agent = Transferir para um agente
chat-console-transfer-department = Transferir para um departamento
chat-console-agent = Agente
chat-console-department-field = Departamento
chat-console-transfer = Transferir
chat-console-no-agents = Nenhum outro agente deste departamento atende chats.
chat-console-no-departments = Não há outro departamento.
chat-console-ticket = Transformar em ticket
chat-console-ticket-subject = Assunto
chat-console-ticket-help = O ticket vai para o departamento deste chat, com a transcrição como primeira mensagem e o cliente como solicitante. Em seguida o chat é encerrado.
chat-console-ticket-button = Criar o ticket e encerrar o chat
chat-console-end = Encerrar o chat
chat-console-done-declined = Você recusou o chat: ele vai para o próximo agente.
chat-console-done-transferred = O chat foi transferido.
chat-console-done-ended = O chat foi encerrado.
chat-console-done-ticket = O chat virou um ticket.
chat-console-ticket-default-subject = Chat com { $name }
chat-console-ticket-conflict = Este chat mudou nesse meio-tempo (foi transferido, encerrado ou já virou ticket): nenhum ticket foi criado.
chat-console-transcript-heading = Transcrição do chat ({ $department }, atendido por { $agent })
chat-console-transcript-file = [arquivo: { $name }]
chat-console-state-waiting = Aguardando
chat-console-state-offered = Oferecido
chat-console-state-active = Em andamento
chat-console-state-ended = Encerrado
chat-console-clock-left = Tempo para aceitar:
chat-console-clock-answered = Em atendimento há
chat-console-clock-waiting = Aguardando há
chat-console-clock-waited = Esperou

## Supervisores (supervise.rs)
chat-supervise-menu = Supervisão de chats
chat-supervise-title = Chats em andamento
chat-supervise-help = Todos os chats aguardando, oferecidos ou em atendimento nos seus departamentos. Abra um para acompanhar a leitura; você não pode escrever nele.
chat-supervise-in-progress = Em andamento
chat-supervise-none = Nenhum chat em andamento.
chat-supervise-agent = Agente: { $name }
chat-supervise-back = Todos os chats em andamento
chat-supervise-reading = Você está acompanhando a conversa: o cliente e o agente não veem você, e você não pode escrever aqui.
chat-console-js-waiting = Aguardando na fila.
chat-console-js-position = Número {"{"}position{"}"} na fila.
chat-console-js-active = Atendido por {"{"}agent{"}"}.
chat-supervise-typing = Alguém está digitando…
