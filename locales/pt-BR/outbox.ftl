# A página da caixa de saída: src/outbox/.

menu-outbox = Caixa de saída
notice-requeued = A mensagem voltou para a fila e será enviada em instantes.
