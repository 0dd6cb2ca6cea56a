#!/usr/bin/env python3
"""Writes N published knowledge-base articles into a portal, straight into the database, for
bench/search.sh (the real seed is `frontdesk seed --articles`; this is the search benchmark's
own, so that it depends on nothing else). Words follow a Zipf law over a vocabulary of real
help-desk words (the most frequent) and made-up ones, so that common words match a large share
of the articles and rare ones a few, as in a real knowledge base. 20 % are in Portuguese, 10 %
internal, 20 % for customers only. Same output on every run.

    search_articles.py DATABASE_URL PORTAL_SLUG COUNT
"""
import random
import subprocess
import sqlite3
import sys
import time

EN = """password reset account sign email invoice billing payment printer network vpn error
update install settings login user access order shipping refund mobile app export report
dashboard browser cache server backup security two factor code team admin permission
configure connection slow crash file upload download license subscription plan customer
support ticket message notification calendar sync device windows mac android iphone""".split()
PT = """senha conta acesso fatura boleto pagamento impressora impressoras rede erro atualização
instalar configurações configuração configurar usuário pedido entrega reembolso aplicativo
relatório painel navegador servidor segurança código equipe permissão conexão lento arquivo
enviar baixar licença assinatura cliente suporte chamado mensagem notificação dispositivo""".split()
# The most frequent words of any text; help-desk words come after them (see `vocabulary`).
STOP_EN = "the to and a of you your in is for on it this that with be can if or are from as not".split()
STOP_PT = "o a de que e do da em um para com não uma os no se na por mais as dos como mas".split()
SYLLABLES = "ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo fu ga ge gi go gu la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo vu".split()


def vocabulary(stop, base, rng, size=20000):
    """Stop words first; then made-up words, with the help-desk words spread over ranks 100 to
    about 3,000 (a help-desk word is then in 1 % to 15 % of the articles, as in a real one)."""
    made = set(stop) | set(base)
    words = list(stop)
    spread = {100 + i * 3000 // len(base): w for i, w in enumerate(base)}
    while len(words) < size:
        if len(words) in spread:
            words.append(spread[len(words)])
            continue
        w = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if w not in made:
            made.add(w)
            words.append(w)
    # Zipf: the k-th word is 1/k as frequent as the first.
    cum, total = [], 0.0
    for k in range(1, len(words) + 1):
        total += 1.0 / k
        cum.append(total)
    return words, cum


def articles(count, rng):
    en, en_cum = vocabulary(STOP_EN, EN, rng)
    pt, pt_cum = vocabulary(STOP_PT, PT, rng)
    for i in range(count):
        portuguese = i % 5 == 4
        words, cum = (pt, pt_cum) if portuguese else (en, en_cum)
        title = " ".join(rng.choices(words[:3000], cum_weights=cum[:3000], k=rng.randint(3, 7))).capitalize()
        body = " ".join(rng.choices(words, cum_weights=cum, k=rng.randint(120, 320))).capitalize() + "."
        visibility = "internal" if i % 10 == 3 else "customers" if i % 5 == 1 else "public"
        yield ("pt-BR" if portuguese else "en", visibility, title, body)


def main():
    url, slug, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(15)
    now = int(time.time())
    if url.startswith("sqlite://"):
        db = sqlite3.connect(url[len("sqlite://"):])
        portal = db.execute("SELECT id FROM portals WHERE slug = ?", (slug,)).fetchone()[0]
        category = db.execute(
            "INSERT INTO kb_categories (portal_id, position, created_at, updated_at) VALUES (?, 0, ?, ?) RETURNING id",
            (portal, now, now)).fetchone()[0]
        db.execute("INSERT INTO kb_category_names (portal_id, category_id, language, name) VALUES (?, ?, 'en', 'Bench')",
                   (portal, category))
        db.executemany(
            "INSERT INTO kb_articles (portal_id, category_id, language, visibility, title, body_html, body_text, "
            "published_revision, published_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '<p>' || ? || '</p>', ?, 1, ?, ?, ?)",
            ((portal, category, lang, vis, title, body, body, now, now, now) for lang, vis, title, body in articles(count, rng)))
        db.commit()
        return
    def psql(sql, stdin=None):
        return subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql], input=stdin, check=True,
                              capture_output=True, text=True).stdout.strip()
    portal = psql(f"SELECT id FROM portals WHERE slug = '{slug}'")
    category = psql(f"INSERT INTO kb_categories (portal_id, position, created_at, updated_at) VALUES ({portal}, 0, {now}, {now}) RETURNING id").split()[0]
    psql(f"INSERT INTO kb_category_names (portal_id, category_id, language, name) VALUES ({portal}, {category}, 'en', 'Bench')")
    rows = "".join(f"{portal}\t{category}\t{lang}\t{vis}\t{title}\t<p>{body}</p>\t{body}\t1\t{now}\t{now}\t{now}\n"
                   for lang, vis, title, body in articles(count, rng))
    psql("COPY kb_articles (portal_id, category_id, language, visibility, title, body_html, body_text, "
         "published_revision, published_at, created_at, updated_at) FROM STDIN", rows)
    psql("ANALYZE kb_articles, kb_search_newest")


if __name__ == "__main__":
    main()
