# Entrar e sair, senhas, perfis, sessões e seus e-mails: src/auth/.

notice-session-ended = Essa sessão foi encerrada.
notice-password-changed = Sua senha foi alterada.
notice-must-change = Escolha uma nova senha antes de continuar.
