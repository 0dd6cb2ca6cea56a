# The knowledge base in the portal: its home, category and article pages.
kb-portal-menu = Help
kb-portal-title = Help center
kb-portal-intro = Answers to common questions, step by step.
kb-portal-search-label = Search the help center
kb-portal-search-placeholder = Describe your question
kb-portal-search-button = Search
kb-portal-categories = Topics
kb-portal-sections = Sections
kb-portal-articles = Articles
kb-portal-articles-count = { $count ->
    [one] 1 article
   *[other] { $count } articles
}
kb-portal-popular = Popular articles
kb-portal-recent = Recent articles
kb-portal-empty = There are no articles here yet.
kb-portal-empty-category = This topic has no articles yet.
kb-portal-sign-in-for-more = customers who sign in find more articles.
kb-portal-breadcrumbs = You are here
kb-portal-pages = Pages
kb-portal-page = Page { $page } of { $pages }
kb-portal-previous = Previous page
kb-portal-next = Next page
kb-portal-bad-page = That page number is not valid.
kb-portal-updated = Updated on { $when }
kb-portal-also-in = Read this article in English
kb-portal-internal = Internal
kb-portal-customers-only = Customers only
kb-portal-related = Related articles
kb-portal-helpful-question = Was this article helpful?
kb-portal-helpful-yes = Yes
kb-portal-helpful-no = No
kb-portal-helpful-thanks = Thank you for your feedback.
kb-portal-helpful-counts = { $yes } found it helpful, { $no } did not.
kb-portal-helpful-unknown = Please answer yes or no.
kb-portal-vote-wait = Many votes came from your address in the last hour. Please try again in { $wait }.
kb-portal-staff-no-vote = Staff members see the votes in the management interface; customers and visitors vote.
kb-portal-edit = Edit in the management interface
