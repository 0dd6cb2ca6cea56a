# O lado dos agentes no chat (src/chat/console.rs, supervise.rs, viewers.rs).

## Quem mais está num ticket (viewers.rs)
chat-viewers-heading = Também neste ticket
chat-viewers-viewing = está olhando
chat-viewers-writing = está escrevendo uma resposta
