use std::process::ExitCode;

// mimalloc rather than glibc's allocator, configured first thing in `main`: see
// `roundtable_web::allocator`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    roundtable_web::allocator::configure();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ROUNDTABLE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
    let mut input = std::io::stdin().lock();
    // Unlocked handles: a lock held here for the life of `serve` would block every log
    // line the server's worker threads write (and with it their requests).
    let mut out = std::io::stdout();
    let mut err = std::io::stderr();
    roundtable_web::cli::run(std::env::args_os(), &mut input, &mut out, &mut err)
}
