# As páginas do próprio portal: a página inicial (src/portals/routes.rs).

portal-home-welcome = Boas-vindas, { $name }
portal-home-signed-in-to = Você entrou em
portal-home-signed-in-as = como { $email }.
portal-home-your-profile = Seu perfil
portal-home-profile-help = altere sua senha e veja onde você está conectado.
portal-home-staff = Você trabalha neste portal. Os agentes respondem aos chamados na
portal-home-management = interface de gestão
portal-home-staff-sign-in = , que tem seu próprio login.
portal-home-sign-in-prompt = Entre para falar conosco e acompanhar suas solicitações.
