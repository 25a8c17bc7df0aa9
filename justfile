# Thin wrappers over cargo; see the README.

default:
    @just --list

# Run the product (for now: validate and show the workflows).
run:
    cargo run -p roundtable-web -- workflow check workflows

# Print the default workflow as a Mermaid diagram.
graph:
    cargo run -q -p roundtable-web -- workflow graph workflows/issue.toml

# Every test of the workspace.
test:
    cargo test --workspace

# Every test, with the storage suite also on the local PostgreSQL.
test-pg:
    ROUNDTABLE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test --workspace

# Create or update the embedded SQLite database.
migrate:
    cargo run -p roundtable-web -- migrate

# The end-to-end suite only.
e2e:
    cargo test -p roundtable-e2e

lint:
    cargo fmt --all --check
    cargo clippy --all-targets -- -D warnings

bench:
    cargo bench -p roundtable-core --bench apply
    ROUNDTABLE_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p roundtable-store --bench insert
