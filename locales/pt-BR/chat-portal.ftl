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
chat-error-ended = Este chat foi encerrado: não é possível enviar mais mensagens.
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
