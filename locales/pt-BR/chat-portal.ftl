# Chat ao vivo, o lado dos clientes (src/chat/store.rs, ws.rs, hours.rs, portal*.rs, widget.rs).

## Linhas do sistema num chat
chat-system-joined = { $name } entrou no chat.
chat-system-transferred-agent = O chat foi transferido para { $name }.
chat-system-transferred-department = O chat foi transferido para { $department }.
chat-system-ended = O chat foi encerrado.
chat-system-ended-customer = { $name } encerrou o chat.

## Erros da conexão
chat-error-bad-frame = Não foi possível ler essa mensagem. Recarregue a página e tente de novo.
chat-error-bad-after = O endereço pede para continuar depois de um número de mensagem que não é um número.
chat-error-not-a-socket = Este endereço é da conexão ao vivo do chat; abra a página do chat.
chat-error-empty = Escreva uma mensagem primeiro.
chat-error-too-long = Uma mensagem pode ter no máximo { $max } caracteres.
chat-error-control = A mensagem contém caracteres que não podem ser enviados.
chat-error-bad-client-id = A mensagem não tem um identificador válido. Recarregue a página e tente de novo.
chat-error-read-only = Você está acompanhando este chat; só o atendente dele pode escrever.
chat-error-not-yours = Este chat não está mais atribuído a você.
chat-error-no-access = Você não pode mais ver este chat.
chat-error-gone = Este chat não pode mais ser acompanhado neste navegador: um chat mais recente tomou o seu lugar, ou você entrou ou saiu da sua conta desde que ele começou.
chat-error-ended = Este chat foi encerrado: não é possível enviar mais mensagens.
chat-error-signed-out = Sua sessão foi encerrada. Entre novamente para continuar a conversa.
chat-error-slow-down = Muitas mensagens de uma vez. A mensagem será enviada de novo em instantes.
chat-error-not-stored = Não foi possível guardar a mensagem agora. Ela será enviada de novo.

## Horário do chat
chat-hours-day-mon = Segunda-feira
chat-hours-day-tue = Terça-feira
chat-hours-day-wed = Quarta-feira
chat-hours-day-thu = Quinta-feira
chat-hours-day-fri = Sexta-feira
chat-hours-day-sat = Sábado
chat-hours-day-sun = Domingo
chat-hours-too-long = O horário do chat pode ter no máximo { $max } caracteres.
chat-hours-two-zones = Informe o fuso horário uma só vez (uma linha como UTC-03:00).
chat-hours-bad-zone = "{ $zone }" não é uma diferença de UTC. Escreva UTC, UTC+2, UTC-03:00 ou UTC+05:30.
chat-hours-bad-day = "{ $day }" não é um dia. Use mon, tue, wed, thu, fri, sat ou sun (segunda a domingo), um intervalo como mon-fri ou uma lista como mon,wed.
chat-hours-backward-days = "{ $days }" está invertido: escreva primeiro o dia anterior, como em mon-fri.
chat-hours-bad-period = "{ $period }" não é um período. Escreva-o como 09:00-18:00 (relógio de 24 horas).
chat-hours-backward-period = "{ $period }" termina antes de começar. Um período não pode passar da meia-noite: dê a cada dia o seu, como 22:00-24:00 e 00:00-02:00.
chat-hours-no-period = "{ $rule }" indica dias, mas nenhum horário. Acrescente-o, como em mon-fri 09:00-18:00.
chat-hours-empty = O horário do chat não indica nenhum dia. Escreva uma linha por dia ou intervalo de dias, como em mon-fri 09:00-18:00.

## As páginas do portal
chat-menu = Chat
chat-start-title = Converse conosco
chat-start-new = Iniciar um novo chat
chat-start-submit = Iniciar o chat
chat-start-anyway = Minha dúvida não foi respondida: iniciar o chat
chat-no-departments = O chat ainda não está disponível aqui.
chat-staff-use-management = Você entrou como equipe: os chats são atendidos na interface de gestão.
chat-suggest-title = Estes artigos podem responder à sua pergunta
chat-suggest-intro = Dê uma olhada: se algum responder à sua pergunta, não é preciso esperar por um atendente.
chat-field-name = Seu nome
chat-field-email = Seu e-mail
chat-field-department = Departamento
chat-field-department-choose = Escolha um departamento
chat-field-message = Sua mensagem
chat-field-subject = Assunto
chat-field-reply = Sua mensagem
chat-department-unknown = Escolha um dos departamentos da lista.
chat-name-required = Informe o seu nome.
chat-email-invalid = Informe um endereço de e-mail, como nome@exemplo.com.
chat-wait = Você iniciou vários chats há pouco. Poderá iniciar outro em { $wait }.
chat-leave-title = Deixe uma mensagem
chat-leave-nobody = Ninguém pode atender um chat agora. Deixe uma mensagem e responderemos por e-mail assim que possível.
chat-leave-closed = Os chats são atendidos apenas no horário do departamento. Deixe uma mensagem e responderemos por e-mail.
chat-leave-hours = Horário do chat ({ $zone }):
chat-leave-submit = Enviar a mensagem
chat-page-title = Chat
chat-status-waiting = Aguardando um atendente…
chat-status-position = Você é o número { $position } na fila.
chat-status-wait = Espera estimada: cerca de { $minutes } min.
chat-status-active = Você está conversando com { $name }.
chat-status-ended = Este chat foi encerrado.
chat-status-position-js = Você é o número {"{"}position{"}"} na fila.
chat-status-wait-js = Espera estimada: cerca de {"{"}minutes{"}"} min.
chat-status-active-js = Você está conversando com {"{"}agent{"}"}.
chat-typing-agent = O atendente está digitando…
chat-connection-lost = Conexão perdida. Reconectando…
chat-sending = Enviando…
chat-upload-failed = Não foi possível enviar o arquivo.
chat-send = Enviar
chat-attach = Anexar um arquivo
chat-end = Encerrar o chat
chat-notice-ended = Você encerrou o chat.
chat-notice-rated = Obrigado pela sua avaliação.
chat-notice-transcript = A transcrição está a caminho do seu e-mail.
chat-rating-title = Como foi este chat?
chat-rating-value = { $rating ->
    [one] 1 estrela
   *[other] { $rating } estrelas
}
chat-rating-comment = Comentário (opcional)
chat-rating-submit = Enviar a avaliação
chat-rating-choose = Escolha uma avaliação de 1 a 5 estrelas.
chat-rating-comment-too-long = Um comentário pode ter no máximo { $max } caracteres.
chat-rating-already = Este chat já foi avaliado.
chat-rating-not-ended = Um chat pode ser avaliado depois de encerrado.
chat-transcript-button = Enviar a transcrição para o meu e-mail
chat-transcript-wait = A transcrição foi enviada várias vezes há pouco. Você poderá pedir de novo em { $wait }.
chat-transcript-subject = Seu chat com { $place }
chat-transcript-intro = Aqui está a transcrição do seu chat com { $department }, iniciado em { $when }.
chat-transcript-after = Você pediu esta transcrição na página do chat. Se não pediu, pode ignorar este e-mail.
chat-history-title = Seus chats
chat-history-link = Seus chats
chat-history-empty = Você ainda não conversou conosco.
chat-history-rated = Avaliado com { $rating }/5
chat-state-waiting = Aguardando
chat-state-active = Em andamento
chat-state-ended = Encerrado

## Configurações
chat-settings-title = Chat
chat-settings-visitors-label = Visitantes podem iniciar chats
chat-settings-visitors-help = true ou false: pessoas que não entraram na conta podem iniciar um chat com nome e e-mail
chat-settings-visitors-note = Eles informam um nome e um e-mail que ninguém verificou. Necessário para o widget de chat no seu próprio site.
chat-settings-origins-label = Sites que podem incorporar o chat
chat-settings-origins-help = os endereços dos seus sites, como https://www.exemplo.com, separados por espaços
chat-settings-origins-note = Só estes sites podem mostrar o widget de chat. Informe cada um como https://host (ou https://host:porta), separados por espaços.
chat-settings-origin-invalid = "{ $origin }" não é o endereço de um site. Escreva-o como https://www.exemplo.com: https, o host e nada depois.
chat-settings-origins-too-many = No máximo { $max } sites podem incorporar o chat.
chat-settings-origins-too-long = A lista de sites é longa demais.
chat-settings-snippet-label = Copie esta linha nas páginas desses sites, antes de </body>:

## O widget
chat-widget-unavailable = Ninguém pode atender um chat agora.
chat-widget-leave-link = Deixe uma mensagem
