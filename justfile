# Thin wrappers over cargo; see the README.

default:
    @just --list

# Run the product: Dongsheng Community on SQLite, pages and API on http://127.0.0.1:8080.
run:
    cargo run --release -- demo

# Serve with the configuration as it is (config/default.toml, ROUNDTABLE_* variables).
serve:
    cargo run --release -- serve

# Validate the workflow files and show their states, transitions and timers.
check-workflows:
    cargo run -p roundtable-web -- workflow check workflows

# A sustained read+write load against the demo beside the raw baseline (10 minutes).
soak:
    python3 bench/soak.py

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
