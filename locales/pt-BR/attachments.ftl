# Arquivos anexados às mensagens (src/tickets/attachments.rs).

attachment-empty = O arquivo { $name } está vazio.
attachment-too-large = O arquivo { $name } tem mais de { $megabytes } MB. Envie um arquivo menor, ou divida-o.
attachment-interrupted = O arquivo { $name } não chegou por completo. Envie-o novamente.

# Tamanhos como as páginas os mostram (src/tickets/downloads.rs).
file-size-bytes = { $count ->
    [one] { $count } byte
   *[other] { $count } bytes
}
file-size-kb = { $size } kB
file-size-mb = { $size } MB

# Formulários que levam arquivos (src/tickets/uploads.rs) e os arquivos de uma mensagem.
upload-not-a-form = Este endereço recebe um formulário enviado.
upload-field-twice = O formulário tem o campo “{ $name }” mais de uma vez.
upload-unexpected-file = O formulário tem um arquivo onde não cabe nenhum.
upload-too-many-files = Uma mensagem pode levar no máximo { $max } arquivos. Envie os outros em outra resposta.
upload-message-too-large = Com o arquivo { $name }, os arquivos desta mensagem somam mais de { $megabytes } MB. Envie menos arquivos, ou arquivos menores.
upload-expired = Seus arquivos esperaram demais pela mensagem. Envie a mensagem de novo, com os arquivos.
attachments-field-files = Anexos
attachments-field-hint = Até { $count } arquivos, com no máximo { $file } MB cada e { $message } MB no total.
attachments-choose-again = Os arquivos que você escolheu não foram guardados: escolha-os de novo.
attachments-list-label = Arquivos anexados
