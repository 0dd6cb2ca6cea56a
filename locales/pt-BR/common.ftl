# Compartilhado por todas as páginas: a moldura, páginas de erro, o seletor de idioma.

language-name = Português
language-switcher = Idioma
product-name = Frontdesk

error-title-400 = Requisição inválida
error-title-403 = Acesso negado
error-title-404 = Página não encontrada
error-title-409 = Conflito
error-title-410 = Não está mais disponível
error-title-413 = Conteúdo grande demais
error-title-422 = Dados inválidos
error-title-429 = Muitas tentativas
error-title-500 = Erro interno
error-title-503 = Serviço indisponível
error-title-other = Erro
error-reference = Se for relatar este problema, informe a referência
error-go-to-sign-in = Ir para a página de entrada
error-bad-address = Este endereço não é válido. Confira o link e tente novamente.
error-not-found = Essa página não existe, ou você não tem permissão para vê-la.
error-csrf = Este formulário expirou ou foi enviado de outro site. Volte, recarregue a página e tente novamente.
error-too-large = O que você enviou é grande demais. Encurte o texto e tente novamente.
error-internal = Algo deu errado do nosso lado. Tente novamente em instantes.
error-changed-meanwhile = Algo a que esta alteração se refere foi alterado ou removido por outra pessoa enquanto isso. Nada foi salvo: recarregue a página e tente novamente.
error-database-unavailable = A central de atendimento não consegue acessar o banco de dados no momento. Tente novamente em alguns segundos.


# O layout da gestão (src/web/templates/shell.html).
shell-open-menu = Abrir o menu
shell-account-menu = Menu da conta
shell-profile = Perfil
shell-settings = Configurações
shell-sign-out = Sair
shell-main-menu = Menu principal
shell-working-in = Trabalhando em
shell-switch = Trocar

# A moldura do portal (src/web/templates/portal_frame.html).
portal-sign-in = Entrar
portal-profile = Perfil
portal-management = Interface de gestão
portal-sign-out = Sair

# Formulários.
form-fix-following = Corrija o seguinte:
form-email = E-mail
form-password = Senha
portal-menu = Menu do portal

# O que um formulário ou endereço recusou antes de chegar a qualquer função (src/web/).
form-not-a-form = Este endereço recebe um formulário enviado (application/x-www-form-urlencoded).
form-incomplete = O formulário não foi recebido por completo. Envie-o novamente.
form-unreadable = Não foi possível ler o formulário.
# Sem o detalhe ($detail): ele vem em inglês do leitor de formulários.
form-wrong-field = Falta um campo no formulário, ou um valor é do tipo errado.
input-address-control-character = Este endereço contém um caractere de controle (um NUL ou uma quebra de linha, por exemplo). Confira o link e tente novamente.
input-query-control-character = O campo “{ $name }” deste endereço contém um caractere de controle (um NUL, tabulação ou quebra de linha, por exemplo). Confira o link e tente novamente.
input-query-control-character-unnamed = Um valor deste endereço contém um caractere de controle (um NUL, tabulação ou quebra de linha, por exemplo). Confira o link e tente novamente.
input-field-control-character = O campo “{ $name }” contém um caractere de controle (uma quebra de linha, tabulação ou NUL, por exemplo), que ele não aceita. Remova-o e envie o formulário novamente.
input-field-control-character-unnamed = Um campo deste formulário contém um caractere de controle (uma quebra de linha, tabulação ou NUL, por exemplo), que ele não aceita. Remova-o e envie o formulário novamente.
