// scratch: time statements read from stdin (one per line) on a database, 3 runs each.
use sqlx::Row;
use std::io::Read;
#[tokio::main]
async fn main() {
    sqlx::any::install_default_drivers();
    let url = std::env::args().nth(1).unwrap();
    let pool = sqlx::any::AnyPoolOptions::new().max_connections(1).connect(&url).await.unwrap();
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).unwrap();
    for stmt in input.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("--")) {
        let mut times = vec![];
        let mut n = 0;
        let mut first = String::new();
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let rows = sqlx::query(sqlx::AssertSqlSafe(stmt.to_string())).fetch_all(&pool).await.unwrap();
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            n = rows.len();
            if let Some(r) = rows.first() {
                first = r.try_get::<i64, _>(0).map(|v| v.to_string()).unwrap_or_default();
            }
        }
        println!(
            "{:>8.2} {:>8.2} {:>8.2} ms  rows {n} first {first}  | {}",
            times[0],
            times[1],
            times[2],
            &stmt[..stmt.len().min(150)]
        );
    }
}
