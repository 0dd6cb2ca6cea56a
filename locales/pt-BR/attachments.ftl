# Arquivos anexados às mensagens (src/tickets/attachments.rs).

attachment-empty = O arquivo { $name } está vazio.
attachment-too-large = O arquivo { $name } tem mais de { $megabytes } MB. Envie um arquivo menor, ou divida-o.
attachment-interrupted = O arquivo { $name } não chegou por completo. Envie-o novamente.
