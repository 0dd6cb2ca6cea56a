# Configurações do portal: a página, o que as configurações de todas as funcionalidades
# compartilham, e as configurações próprias do portal.

portal-settings-title = Configurações do portal
portal-settings-save = Salvar

settings-unknown-key = configuração desconhecida { $key }; as configurações são: { $keys }
settings-takes-true-or-false = { $key } aceita true ou false, não { $value }
settings-secret-stored = armazenado; deixe em branco para mantê-lo
settings-secret-not-set = não definido
settings-language-auto = Automático (navegador)

portal-settings-name-label = Nome
portal-settings-name-help = o nome de exibição do portal (de 1 a 100 caracteres)
portal-settings-host-label = Host próprio (opcional)
portal-settings-host-help = um nome de host que serve este portal na raiz /, por exemplo support.example.com (vazio: nenhum)
portal-settings-host-note-start = Aponte este host para o Frontdesk e o portal será servido na raiz{" "}
portal-settings-host-note-middle = {"."} Caso contrário, ele fica em{" "}
portal-settings-host-note-end = {"."}
portal-settings-host-taken = Outro portal já usa o host { $host }.
portal-settings-sender-name-label = Nome do remetente dos e-mails (opcional)
portal-settings-sender-name-help = o nome que aparece como remetente dos e-mails do portal, até 100 caracteres (vazio: nenhum)
portal-settings-sender-name-invalid = O nome do remetente aceita até 100 caracteres, sem < > " nem quebras de linha.
portal-settings-default-language-label = Idioma para quem não escolheu um
portal-settings-default-language-note = Páginas e e-mails ficam neste idioma para visitantes e contas sem idioma próprio. Automático segue cada navegador.
portal-settings-default-language-help = en ou pt-BR: o idioma das páginas e e-mails para quem não escolheu nenhum (vazio: o do navegador)
portal-settings-default-language-invalid = O idioma deve ser en ou pt-BR (ou vazio, para seguir o navegador), não { $value }.
portal-settings-listed-label = Oferecer este portal na página de entrada comum
portal-settings-listed-help = true/false: oferecer este portal na página de entrada comum /login
