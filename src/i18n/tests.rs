//! The catalogs agree with each other and with the code: every key is in every language, and
//! every key the code or a template names is in the catalogs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fluent_syntax::ast::{Entry, Pattern, PatternElement};

use super::{Lang, Msg};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The messages of one language: id → (file, text with placeables as `{…}`).
fn catalog(lang: Lang) -> BTreeMap<String, (String, String)> {
    let dir = Path::new(ROOT).join("locales").join(lang.tag());
    let mut messages = BTreeMap::new();
    for file in files_under(&dir, &["ftl"]) {
        let source = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let resource = fluent_syntax::parser::parse(source.as_str())
            .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", file.display()));
        for entry in resource.body {
            if let Entry::Message(m) = entry {
                let text = m.value.as_ref().map(plain_text).unwrap_or_default();
                let before = messages.insert(m.id.name.to_string(), (name.clone(), text));
                assert!(before.is_none(), "{}: {} is defined twice in {}", name, m.id.name, lang);
            }
        }
    }
    messages
}

fn plain_text(p: &Pattern<&str>) -> String {
    p.elements
        .iter()
        .map(|e| match e {
            PatternElement::TextElement { value } => value.to_string(),
            PatternElement::Placeable { .. } => "{…}".to_string(),
        })
        .collect()
}

fn files_under(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path, extensions));
        } else if path.extension().is_some_and(|x| extensions.iter().any(|e| x == *e)) {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// Keys named in code and templates: the string literal right after `t(`, `t1(`, `t2(` (as a
/// word, or a method) or `Msg::new(`.
fn keys_used_in(source: &str) -> Vec<String> {
    const CALLS: &[&str] = &["t(\"", "t1(\"", "t2(\"", "Msg::new(\""];
    let mut keys = Vec::new();
    for call in CALLS {
        for (at, _) in source.match_indices(call) {
            let word_start = at == 0 || {
                let before = source[..at].chars().next_back().unwrap();
                !(before.is_alphanumeric() || before == '_') || call.starts_with("Msg")
            };
            if !word_start {
                continue;
            }
            let rest = &source[at + call.len()..];
            if let Some(end) = rest.find('"') {
                keys.push(rest[..end].to_string());
            }
        }
    }
    keys
}

#[test]
fn every_language_has_every_message_in_the_same_file() {
    let en = catalog(Lang::En);
    let pt = catalog(Lang::PtBr);
    assert!(en.len() > 10, "the English catalog looks empty");
    let only_en: Vec<_> = en.keys().filter(|k| !pt.contains_key(*k)).collect();
    let only_pt: Vec<_> = pt.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty(), "only in en: {only_en:?}");
    assert!(only_pt.is_empty(), "only in pt-BR: {only_pt:?}");
    for (key, (file, _)) in &en {
        assert_eq!(&pt[key].0, file, "{key} is in {file} in en but in {} in pt-BR", pt[key].0);
    }
}

#[test]
fn portuguese_sentences_are_translated() {
    let en = catalog(Lang::En);
    let pt = catalog(Lang::PtBr);
    let copied: Vec<_> = en
        .iter()
        .filter(|(key, (_, text))| text.split_whitespace().count() >= 3 && pt[*key].1 == *text)
        .map(|(key, _)| key)
        .collect();
    assert!(copied.is_empty(), "English sentences copied into pt-BR: {copied:?}");
}

#[test]
fn every_key_the_code_names_is_in_the_catalogs() {
    let en = catalog(Lang::En);
    let mut missing = BTreeSet::new();
    let mut used = 0;
    // This module describes the forms in its examples; it names no real key.
    let this_module = Path::new(ROOT).join("src/i18n");
    for file in files_under(&Path::new(ROOT).join("src"), &["rs", "html", "txt"]) {
        if file.starts_with(&this_module) {
            continue;
        }
        let source = std::fs::read_to_string(&file).unwrap();
        for key in keys_used_in(&source) {
            used += 1;
            if !en.contains_key(&key) {
                missing.insert(format!("{} ({})", key, file.strip_prefix(ROOT).unwrap().display()));
            }
        }
    }
    assert!(used > 10, "found too few keys: is the scanner broken?");
    assert!(missing.is_empty(), "keys no catalog has: {missing:?}");
}

#[test]
fn the_scanner_finds_keys_in_every_form() {
    let source = r#"{{ t("a-b") }} x.t("c") t1("d", "n", 1) Msg::new("e") at("no") it2("no")"#;
    assert_eq!(keys_used_in(source), ["a-b", "c", "d", "e"]);
}

#[test]
fn messages_take_arguments_and_languages() {
    assert_eq!(Lang::En.t("language-name"), "English");
    assert_eq!(Lang::PtBr.t("language-name"), "Português");
    let m = Msg::new("chat-signout-refused");
    assert_eq!(
        m.in_lang(Lang::PtBr),
        "Você não pode fazer logout enquanto houver atendimentos em andamento. Finalize-os para sair da aplicação."
    );
    assert_eq!(
        m.english(),
        "You cannot sign out while conversations are in progress. Finish them to leave the application."
    );
    assert_eq!(Lang::En.t("no-such-key"), "no-such-key");
}
