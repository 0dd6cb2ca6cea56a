# Pessoas, portais e departamentos: como devem ser seus nomes e endereços.

email-invalid = { $value } não é um endereço de e-mail como nome@exemplo.com.br (um único endereço, sem aspas nem <>)
person-name-too-long = Um nome pode ter no máximo 100 caracteres.
person-name-forbidden-characters = Um nome não pode conter quebras de linha, tabulações, caracteres de controle ou de direção de texto.
mobile-needs-plus = Digite o celular com o código do país, começando com + (por exemplo +55 11 91234 5678).
mobile-not-a-number = { $value } não é um número de telefone; use dígitos com o código do país (por exemplo +55 11 91234 5678).
mobile-incomplete = { $value } não é um número internacional completo: ele precisa do código do país e de 8 a 15 dígitos (por exemplo +55 11 91234 5678).
department-name-length = O nome de um departamento precisa ter de 1 a 80 caracteres.
department-name-forbidden-characters = O nome de um departamento não pode conter quebras de linha, tabulações, caracteres de controle ou de direção de texto.
portal-slug-invalid = { $value } não é um identificador de portal válido: use de 2 a 40 letras minúsculas, dígitos e hífens, sem começar nem terminar com hífen
portal-host-invalid = { $value } não é um nome de host como suporte.exemplo.com.br
portal-name-length = O nome de um portal precisa ter de 1 a 100 caracteres.
portal-name-forbidden-characters = O nome de um portal não pode conter quebras de linha, tabulações, caracteres de controle ou de direção de texto.
staff-account-disabled = Esta conta está desativada. Fale com o seu administrador.
staff-awaiting-approval = Sua conta está aguardando a aprovação de um administrador. Você poderá entrar assim que ela for aprovada.
