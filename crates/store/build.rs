// `embed_migrations!` reads the migration files it finds at compile time; a new
// migration's directory is a change cargo would not otherwise see (diesel's advice).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
