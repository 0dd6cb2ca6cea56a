//! The language a person chooses on their profile: "Automatic" (nothing stored: their portal's
//! default, then their browser's) or one Frontdesk speaks, stored as its tag. It is saved with
//! the profile's details form; the next page is in it (the extractors apply the stored choice).

use crate::error::AppError;
use crate::i18n::{Lang, Msg};

/// One option of the profile's language select.
pub struct LanguageOption {
    /// Empty for "Automatic".
    pub tag: &'static str,
    /// The language's own name (or "Automatic" in the page's language).
    pub name: String,
    pub selected: bool,
}

/// The select's options, `chosen` selected.
pub fn options(chosen: Option<Lang>) -> Vec<LanguageOption> {
    let automatic =
        LanguageOption { tag: "", name: crate::i18n::t("profile-language-automatic"), selected: chosen.is_none() };
    let each = Lang::ALL.into_iter().map(|lang| LanguageOption {
        tag: lang.tag(),
        name: lang.native_name().to_string(),
        selected: chosen == Some(lang),
    });
    std::iter::once(automatic).chain(each).collect()
}

/// What the form asked for: `None` when it did not carry the field (nothing changes), else the
/// choice (`Some(None)`: automatic). Only the exact tags of the select are taken: anything else
/// is refused before anything is written.
pub fn parse(field: Option<&str>) -> Result<Option<Option<Lang>>, AppError> {
    let Some(value) = field else { return Ok(None) };
    if value.is_empty() {
        return Ok(Some(None));
    }
    match Lang::ALL.into_iter().find(|l| l.tag() == value) {
        Some(lang) => Ok(Some(Some(lang))),
        None => Err(AppError::bad_request(Msg::new("profile-language-invalid"))),
    }
}

/// Stores a staff member's choice.
pub async fn save_staff(db: &crate::db::Db, staff_id: i64, lang: Option<Lang>) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE staff SET language = $1 WHERE id = $2")
        .bind(lang.map(Lang::tag))
        .bind(staff_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Stores a customer's choice (only in their own portal).
pub async fn save_customer(
    db: &crate::db::Db,
    portal_id: i64,
    customer_id: i64,
    lang: Option<Lang>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE customers SET language = $1 WHERE id = $2 AND portal_id = $3")
        .bind(lang.map(Lang::tag))
        .bind(customer_id)
        .bind(portal_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_offered_tags_are_taken() {
        assert_eq!(parse(None).unwrap(), None);
        assert_eq!(parse(Some("")).unwrap(), Some(None));
        assert_eq!(parse(Some("pt-BR")).unwrap(), Some(Some(Lang::PtBr)));
        assert_eq!(parse(Some("en")).unwrap(), Some(Some(Lang::En)));
        for hostile in ["de", "pt", "PT-br ", "en'--", "<script>", "pt-BR\0", &"x".repeat(5000)] {
            assert!(parse(Some(hostile)).is_err(), "{hostile:?}");
        }
    }
}
