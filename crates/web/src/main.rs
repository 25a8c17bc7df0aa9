use std::process::ExitCode;

fn main() -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    roundtable_web::cli::run(std::env::args_os(), &mut out, &mut err)
}
