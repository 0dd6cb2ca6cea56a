# Mesclar um chamado em outro do mesmo solicitante (src/tickets/merge.rs).
ticket-merge-heading = Mesclar em outro chamado
ticket-merge-field-into = Número do chamado que vai recebê-lo
ticket-merge-help = Somente outro chamado do mesmo solicitante. A conversa vai para lá e este chamado é encerrado de vez.
ticket-merge-submit = Mesclar
ticket-merge-notice-done = O chamado foi mesclado neste.
ticket-merge-number-needed = Informe o número do chamado de destino, por exemplo 1002.
ticket-merge-self = Um chamado não pode ser mesclado nele mesmo.
ticket-merge-already-merged = O chamado nº { $number } já foi mesclado.
ticket-merge-target-merged = O chamado nº { $number } já foi mesclado em outro: mescle naquele.
ticket-merge-other-requester = O chamado nº { $number } é de outro solicitante: só é possível mesclar chamados do mesmo solicitante.
ticket-merge-is-merged = Este chamado foi mesclado no nº { $number } e não pode mais ser alterado: continue por lá.
ticket-merge-pointer = Este chamado foi mesclado no chamado nº { $number }.
ticket-merge-pointer-open = Abrir o chamado nº { $number }
ticket-merge-link-moved = Seu chamado nº { $from } foi mesclado neste, o nº { $into }: as mensagens dele estão abaixo.
ticket-merge-history-into = mesclou este chamado no nº { $number }
ticket-merge-history-in = mesclou o chamado nº { $number } neste
