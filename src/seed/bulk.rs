//! Many rows in one `INSERT`: a seed of a million tickets is a few thousand statements, not
//! millions. One portable SQL text: `VALUES ($1, ..), ($n, ..)`.

use sqlx::any::AnyArguments;
use sqlx::{AnyConnection, Arguments};

/// A value of a seeded row.
#[derive(Clone, Debug)]
pub enum Value {
    Int(i64),
    /// NULL in an integer column (PostgreSQL wants the NULL's type to match the column's).
    NullInt,
    Text(String),
    NullText,
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Value {
        v.map_or(Value::NullInt, Value::Int)
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Value {
        v.map_or(Value::NullText, Value::Text)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

/// Bound values per statement. Not more: binding a statement's parameters costs SQLite time
/// quadratic in their number (sqlx asks each parameter's name, which SQLite finds by a linear
/// search), and at 3,000 that was 58 % of the seed's time; 400 keeps the statements few.
const MAX_PARAMS: usize = 400;

/// Inserts `rows` (each with one value per column) into `table`, as few statements as the
/// engines' limits allow.
pub async fn insert(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<(), sqlx::Error> {
    insert_with(conn, table, columns, rows, "").await
}

/// As `insert`, skipping rows that a unique key already holds (a second run of the seed).
pub async fn insert_ignoring_existing(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<(), sqlx::Error> {
    insert_with(conn, table, columns, rows, " ON CONFLICT DO NOTHING").await
}

async fn insert_with(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
    suffix: &str,
) -> Result<(), sqlx::Error> {
    let per_statement = (MAX_PARAMS / columns.len()).max(1);
    for chunk in rows.chunks(per_statement) {
        let mut args = AnyArguments::default();
        let mut groups = Vec::with_capacity(chunk.len());
        let mut n = 0;
        for row in chunk {
            let mut marks = Vec::with_capacity(row.len());
            for value in row {
                n += 1;
                marks.push(format!("${n}"));
                let added = match value {
                    Value::Int(v) => args.add(*v),
                    Value::NullInt => args.add(None::<i64>),
                    Value::Text(v) => args.add(v.clone()),
                    Value::NullText => args.add(None::<String>),
                };
                added.map_err(sqlx::Error::Encode)?;
            }
            groups.push(format!("({})", marks.join(", ")));
        }
        let sql = format!("INSERT INTO {table} ({}) VALUES {}{suffix}", columns.join(", "), groups.join(", "));
        // Audited: table and column names are this module's callers' constants; values are bound.
        sqlx::query_with(sqlx::AssertSqlSafe(sql), args).execute(&mut *conn).await?;
    }
    Ok(())
}
