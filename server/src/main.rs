use clap::Parser;
use server::cli::Cli;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // A `.env` file in the working directory fills in variables that the
    // environment does not already set.
    let dotenv = dotenvy::dotenv();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .init();
    if let Err(error) = dotenv {
        if !error.not_found() {
            eprintln!("error: .env could not be read: {error}");
            return std::process::ExitCode::FAILURE;
        }
    }
    let cli = Cli::parse();
    match server::commands::run(cli.command).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", error.0);
            std::process::ExitCode::FAILURE
        }
    }
}
