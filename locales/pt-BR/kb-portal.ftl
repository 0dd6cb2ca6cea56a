# The knowledge base in the portal: its home, category and article pages.
kb-portal-menu = Ajuda
kb-portal-title = Central de ajuda
kb-portal-intro = Respostas às perguntas mais comuns, passo a passo.
kb-portal-search-label = Pesquisar na central de ajuda
kb-portal-search-placeholder = Descreva sua dúvida
kb-portal-search-button = Pesquisar
kb-portal-categories = Tópicos
kb-portal-sections = Seções
kb-portal-articles = Artigos
kb-portal-articles-count = { $count ->
    [one] 1 artigo
   *[other] { $count } artigos
}
kb-portal-popular = Artigos mais úteis
kb-portal-recent = Artigos recentes
kb-portal-empty = Ainda não há artigos aqui.
kb-portal-empty-category = Este tópico ainda não tem artigos.
kb-portal-sign-in-for-more = clientes que entram encontram mais artigos.
kb-portal-breadcrumbs = Você está aqui
kb-portal-pages = Páginas
kb-portal-page = Página { $page } de { $pages }
kb-portal-previous = Página anterior
kb-portal-next = Próxima página
kb-portal-bad-page = Esse número de página não é válido.
kb-portal-updated = Atualizado em { $when }
kb-portal-also-in = Leia este artigo em português
kb-portal-internal = Interno
kb-portal-customers-only = Só para clientes
kb-portal-related = Artigos relacionados
kb-portal-helpful-question = Este artigo foi útil?
kb-portal-helpful-yes = Sim
kb-portal-helpful-no = Não
kb-portal-helpful-thanks = Obrigado pela sua opinião.
kb-portal-helpful-counts = { $yes } acharam útil, { $no } não.
kb-portal-helpful-unknown = Responda sim ou não.
kb-portal-vote-wait = Muitos votos vieram do seu endereço na última hora. Tente de novo em { $wait }.
kb-portal-staff-no-vote = A equipe vê os votos na interface de gestão; clientes e visitantes votam.
kb-portal-edit = Editar na interface de gestão
