# Chat: presença dos agentes, distribuição, a regra de logout (faixa: core).
chat-offer-gone = Este chat não está mais oferecido a você: foi retirado ou passou para outra pessoa.
chat-transfer-agent-unavailable = Esse agente não pode receber um chat agora: não está disponível ou já tem tantos chats quanto aceita.
