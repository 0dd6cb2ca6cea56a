# Configurações de entrada do portal: como os clientes entram, e a política de senhas.

signin-settings-customer-title = Entrada dos clientes
signin-settings-customer-label = Como os clientes entram
signin-settings-customer-help = password, email_code e/ou sms_code, separados por vírgulas: como os clientes do portal entram (pelo menos um)
signin-settings-customer-note = Com os dois códigos ativos, o código vai para ambos e qualquer uma das cópias funciona.
signin-settings-method-password = Senha
signin-settings-method-email-code = Código de uso único por e-mail
signin-settings-method-sms-code = Código de uso único por SMS
signin-settings-method-unknown = { $value } não é uma forma de entrada; use password, email_code e/ou sms_code.
signin-settings-method-none = Escolha pelo menos uma forma de entrada dos clientes: senha, código por e-mail ou código por SMS.

signin-settings-passwords-title = Senhas
signin-settings-policy-label = Política de senhas
signin-settings-policy-help = composition (maiúscula, minúscula, número, carácter especial; sem & ou #) ou length_only (15+ caracteres)
signin-settings-policy-composition = Letra maiúscula e minúscula, número e carácter especial; sem & ou # (8+ caracteres)
signin-settings-policy-length-only = Somente o comprimento, 15+ caracteres (NIST SP 800-63B)
signin-settings-policy-invalid = A política de senhas deve ser composition ou length_only, não { $value }.
signin-settings-min-length-label = Comprimento mínimo
signin-settings-min-length-help = comprimento mínimo da senha: 8 a 128 (composition) ou 15 a 128 (length_only)
signin-settings-min-length-not-a-number = O comprimento mínimo deve ser um número, não { $value }.
signin-settings-min-length-out-of-range = O comprimento mínimo deve estar entre { $min } e 128 para a política { $policy }.
